#!/usr/bin/env bash
# System packages the pipeline needs: LibreOffice Writer (headless) for DOCX → PDF,
# Debian's Thai fonts (Laksaman, the source of the TH Sarabun New substitute),
# fontconfig, and venv support. Installs only what is missing.
set -euo pipefail

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi laksaman || need+=(fonts-thai-tlwg)
command -v fc-match >/dev/null 2>&1 || need+=(fontconfig)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
fc-list 2>/dev/null | grep -qi 'DejaVu Sans' || need+=(fonts-dejavu-core)

[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
