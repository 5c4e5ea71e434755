#!/usr/bin/env bash
# Remove what install.sh installed (same PREFIX). Your data folder (~/.local/share/Printstall), settings and
# logs stay: delete those yourself if you want them gone (see docs/install.md, "Uninstalling").
set -euo pipefail
prefix="${PREFIX:-$HOME/.local}"
share="${XDG_DATA_HOME:-$prefix/share}"
[ -n "${PREFIX:-}" ] && share="$prefix/share"
app="$prefix/lib/printstall"

echo "Removing Printstall from $app"
if [ -L "$prefix/bin/printstall" ] && [ "$(readlink "$prefix/bin/printstall")" = "$app/printstall" ]; then
    rm -f "$prefix/bin/printstall"
fi
rm -f "$share/applications/printstall.desktop" "$share/mime/packages/printstall.xml"
rm -f "$share"/icons/hicolor/*/apps/printstall.png
rm -rf "$app"

command -v update-mime-database >/dev/null && update-mime-database "$share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t -f "$share/icons/hicolor" || true
echo "Done. Your data folder was left in place."
