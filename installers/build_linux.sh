#!/usr/bin/env bash
# Build the Linux app and its tarball (run from anywhere; `python3 dev.py build` sets up, then runs this):
#
#   dist/printstall/                                   the app, one folder (PyInstaller)
#   dist/printstall-<version>-linux-<arch>.tar.gz      that folder with install.sh, uninstall.sh, the desktop
#                                                      entry, the icons and the file types
#
# PYTHON names the interpreter whose environment has PyInstaller and the app's packages (default .venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-.venv/bin/python}"
version="$("$python" -c 'import core; print(core.__version__)')"
name="printstall-$version-linux-$(uname -m)"

echo "==> PyInstaller: dist/printstall/ (version $version)"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build installers/printstall.spec

echo "==> dist/$name.tar.gz"
stage="build/$name"
rm -rf "$stage"
mkdir -p "$stage/icons"
cp -al dist/printstall "$stage/printstall" 2>/dev/null || cp -a dist/printstall "$stage/printstall"
cp installers/linux/install.sh installers/linux/uninstall.sh installers/linux/printstall.desktop \
    installers/linux/printstall-mime.xml "$stage/"
for size in 16 24 32 48 64 128 256 512; do
    cp "installers/icons/printstall-$size.png" "$stage/icons/"
done
cat > "$stage/README.txt" <<TEXT
Printstall $version for Linux ($(uname -m))

Install for this user (into ~/.local, no root needed):   ./install.sh
Remove it again:                                          ./uninstall.sh
Or run it from here without installing:                   ./printstall/printstall

The app needs an X11 or Wayland desktop with OpenGL (Mesa is enough).
TEXT
tar -C build -czf "dist/$name.tar.gz" "$name"
rm -rf "$stage"
echo "==> built dist/printstall/ ($(du -sh dist/printstall | cut -f1)) and dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
