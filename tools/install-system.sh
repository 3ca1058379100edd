#!/usr/bin/env bash
# System packages the pipeline needs: LibreOffice Writer (headless) for DOCX → PDF, Calc for the tests,
# Debian's Thai fonts (Laksaman, the source of the TH Sarabun New substitute),
# fontconfig, venv support, jemalloc for LibreOffice, and poppler's pdftotext (tests compare the text it extracts
# with the substitute and with the real font). Installs only what is missing.
set -euo pipefail

need=()
# Read the font list whole first: with pipefail, `fc-list | grep -q` fails at random when grep
# stops reading early and fc-list gets SIGPIPE.
fonts=$(fc-list 2>/dev/null || true)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# Calc: the tests open the .xlsx files we write with a real spreadsheet program, and make some with it.
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
grep -qi laksaman <<<"$fonts" || need+=(fonts-thai-tlwg)
command -v fc-match >/dev/null 2>&1 || need+=(fontconfig)
# The web app's browser tests: Debian's Chromium and its driver (Selenium drives them).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
# Debian's UNO bindings, for Debian's own Python: LibreOffice kept warm for the web's reports (convert/warm.py).
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || need+=(python3-uno)
grep -qi 'DejaVu Sans' <<<"$fonts" || need+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# jemalloc, preloaded into LibreOffice: the same PDFs for about a fifth less CPU (convert/soffice.py).
libs=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null || true)
grep -q 'libjemalloc\.so\.2' <<<"$libs" || need+=(libjemalloc2)
# hb-shape: tools/measure_sarabun.py and its test shape text with HarfBuzz, as LibreOffice does.
command -v hb-shape >/dev/null 2>&1 || need+=(libharfbuzz-bin)
# pdftk: the hostile-input tests fill our own fillable forms as another PDF program would.
command -v pdftk >/dev/null 2>&1 || need+=(pdftk-java)

[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
