#!/usr/bin/env bash
# Install Printstall for this user, from the unpacked tarball: nothing outside ~/.local (or $PREFIX), no root.
#
#   ./install.sh            the app into ~/.local/lib/printstall, `printstall` into ~/.local/bin, the menu
#                           entry, the icon and the file types into ~/.local/share
#   PREFIX=DIR ./install.sh the same under DIR
#
# Run it again to update. ./uninstall.sh (also kept in ~/.local/lib/printstall/) removes all of it; your data
# folder (~/.local/share/Printstall) stays.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${PREFIX:-$HOME/.local}"
share="${XDG_DATA_HOME:-$prefix/share}"
[ -n "${PREFIX:-}" ] && share="$prefix/share"
app="$prefix/lib/printstall"

if [ ! -x "$here/printstall/printstall" ]; then
    echo "error: run install.sh from the unpacked Printstall folder (printstall/printstall is missing)" >&2
    exit 1
fi

echo "Installing Printstall into $app"
mkdir -p "$prefix/lib" "$prefix/bin" "$share/applications" "$share/mime/packages"
rm -rf "$app.new"
cp -a "$here/printstall" "$app.new"
cp "$here/uninstall.sh" "$app.new/uninstall.sh"
rm -rf "$app"
mv "$app.new" "$app"
ln -sfn "$app/printstall" "$prefix/bin/printstall"

# The desktop entry runs the installed program by its full path: ~/.local/bin is not always on the
# desktop session's PATH.
sed "s|^Exec=printstall |Exec=\"$app/printstall\" |" "$here/printstall.desktop" \
    > "$share/applications/printstall.desktop"
for icon in "$here"/icons/printstall-*.png; do
    size="$(basename "$icon" .png)"
    size="${size#printstall-}"
    mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
    cp "$icon" "$share/icons/hicolor/${size}x${size}/apps/printstall.png"
done
cp "$here/printstall-mime.xml" "$share/mime/packages/printstall.xml"

command -v update-mime-database >/dev/null && update-mime-database "$share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t -f "$share/icons/hicolor" || true

echo "Done. Start Printstall from the applications menu, or run: printstall"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "($prefix/bin is not on your PATH: add it, or run $prefix/bin/printstall)" ;;
esac
