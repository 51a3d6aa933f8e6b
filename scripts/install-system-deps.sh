#!/usr/bin/env bash
# Installs the system packages the platform needs (Debian/Ubuntu). Does nothing when they are
# already present.
#
#   bash scripts/install-system-deps.sh           what the test suite needs: everything below
#   bash scripts/install-system-deps.sh runtime   what the server needs to print PDF slips
#                                                 (`make demo` runs this one, and goes on with a
#                                                 warning when it cannot install)
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin"

mode="${1:-test}"
packages=()

# (no grep -q: it stops reading early, and pipefail would then count the pipe as failed)
has_library() { ldconfig -p 2>/dev/null | grep "$1" >/dev/null; }
has_font() { fc-list : family 2>/dev/null | grep -x "$1" >/dev/null; }

# WeasyPrint (PDF) loads Pango, HarfBuzz and fontconfig when it is imported.
has_library 'libpango-1\.0\.so\.0' || packages+=(libpango-1.0-0)
has_library 'libpangoft2-1\.0\.so\.0' || packages+=(libpangoft2-1.0-0)
if ! has_library 'libharfbuzz-subset\.so\.0' && apt-cache show libharfbuzz-subset0 >/dev/null 2>&1; then
    packages+=(libharfbuzz-subset0)
fi
# Fonts with full Vietnamese coverage: DejaVu and Noto Sans for pages; for printed papers,
# when Times New Roman is not installed, Liberation Serif (same metrics), else Noto Serif.
has_font "DejaVu Sans" || packages+=(fonts-dejavu-core fontconfig)
{ has_font "Noto Sans" && has_font "Noto Serif"; } || packages+=(fonts-noto-core)
# Digital signatures: SoftHSM2 keeps the demo organisations' keys on a PKCS#11 token (without it
# the demo keeps them in PKCS#12 files; the tests need it). Signature texts use Liberation Serif.
command -v softhsm2-util >/dev/null 2>&1 || packages+=(softhsm2)
has_font "Liberation Serif" || packages+=(fonts-liberation2)
# Outgoing documents: LibreOffice (headless, no GUI) turns DOCX drafts into PDF; poppler's
# pdftoppm draws the page preview on which the signer places the signature.
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)

if [ "$mode" != runtime ]; then
    command -v chromium >/dev/null 2>&1 || packages+=(chromium)
    # pdftotext and pdftoppm read the PDFs the tests make; pdfsig checks their signatures.
    { command -v pdftotext >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1; } \
        || packages+=(poppler-utils)
fi

if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing system packages: ${packages[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
elif [ "$mode" = runtime ]; then
    echo "Warning: missing system packages (${packages[*]}) and no root/sudo to install them;" \
        "everything works except printing PDF slips." >&2
    exit 0
else
    echo "Missing system packages (${packages[*]}) and no root/sudo to install them." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another package installation running (unattended upgrades, a second checkout) is waited for.
apt=($SUDO apt-get -o DPkg::Lock::Timeout=600)
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${packages[@]}"
