#!/usr/bin/env bash
# Build one C extension in place, for development (pip install -e . builds them all):
#   tools/build_accel.sh privacy/detectors/_names.c      -> privacy/detectors/_names.<abi>.so
set -euo pipefail
PY=${PY:-.venv/bin/python}
src=$1
inc=$($PY -c "import sysconfig; print(sysconfig.get_paths()['include'])")
suffix=$($PY -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
gcc -O2 -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-cast-function-type -shared -fPIC -I"$inc" "$src" -o "${src%.c}$suffix"
