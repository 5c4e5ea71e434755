#!/usr/bin/env bash
# Build the macOS app and its disk image (`python3 dev.py build` sets up, then runs this):
#
#   dist/Printstall.app                                  the app bundle (PyInstaller; its Info.plist, with the
#                                                        file types it opens, comes from installers/printstall.spec)
#   dist/printstall-<version>-macos-<arch>.dmg           a disk image: the app and a link to /Applications
#
# The build is for the machine's architecture (arm64 or x86_64). It is signed ad hoc (PyInstaller does that);
# set PRINTSTALL_CODESIGN_IDENTITY to sign with a Developer ID instead. Notarisation is not done here.
# PYTHON names the interpreter whose environment has PyInstaller and the app's packages (default .venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-.venv/bin/python}"
version="$("$python" -c 'import core; print(core.__version__)')"
dmg="dist/printstall-$version-macos-$(uname -m).dmg"

echo "==> PyInstaller: dist/Printstall.app (version $version)"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build installers/printstall.spec

echo "==> $dmg"
stage="build/dmg"
rm -rf "$stage" "$dmg"
mkdir -p "$stage"
cp -R dist/Printstall.app "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Printstall $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
rm -rf "$stage"
echo "==> built dist/Printstall.app and $dmg"
