#!/usr/bin/env bash
# Refresh the pinned front-end files in static/vendor/ from the npm registry.
# The app serves these copies itself, so it works offline and needs no CDN.
# Bump a version here, run `make vendor`, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  file-in-package  -> name in static/vendor
assets=(
  "bootstrap@5.3.9 package/dist/css/bootstrap.min.css bootstrap/bootstrap.min.css"
  "bootstrap@5.3.9 package/dist/css/bootstrap.min.css.map bootstrap/bootstrap.min.css.map"
  "bootstrap@5.3.9 package/dist/js/bootstrap.bundle.min.js bootstrap/bootstrap.bundle.min.js"
  "bootstrap@5.3.9 package/dist/js/bootstrap.bundle.min.js.map bootstrap/bootstrap.bundle.min.js.map"
  "bootstrap@5.3.9 package/LICENSE bootstrap/LICENSE"
  "htmx.org@2.0.11 package/dist/htmx.min.js htmx/htmx.min.js"
  "htmx.org@2.0.11 package/LICENSE htmx/LICENSE"
  "chart.js@4.6.1 package/dist/chart.umd.min.js chartjs/chart.umd.min.js"
  # The minified file names its source map; collectstatic's manifest storage needs it there.
  "chart.js@4.6.1 package/dist/chart.umd.min.js.map chartjs/chart.umd.min.js.map"
  "chart.js@4.6.1 package/LICENSE.md chartjs/LICENSE.md"
  "axe-core@4.14.1 package/axe.min.js axe-core/axe.min.js"
  "axe-core@4.14.1 package/LICENSE axe-core/LICENSE"
)

: > "$work/manifest"
for line in "${assets[@]}"; do
  read -r spec src target <<<"$line"
  pkgdir="$work/${spec//[@\/]/_}"
  if [ ! -d "$pkgdir" ]; then
    mkdir -p "$pkgdir"
    tarball=$(cd "$pkgdir" && npm pack "$spec" --silent | tail -n 1)
    tar -xzf "$pkgdir/$tarball" -C "$pkgdir"
    echo "$spec" >> "$work/manifest"
  fi
  mkdir -p "$dest/$(dirname "$target")"
  cp "$pkgdir/$src" "$dest/$target"
done
{
  echo "# Vendored front-end packages (written by scripts/vendor-assets.sh)"
  cat "$work/manifest"
} > "$dest/MANIFEST.txt"
echo "vendored into $dest:"; cat "$dest/MANIFEST.txt"
