#!/usr/bin/env bash
# Regenerates data/common-passwords.txt from Debian's python3-zxcvbn.
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/python3 - <<'PY'
from zxcvbn import frequency_lists as f
pw = f.FREQUENCY_LISTS['passwords']
with open('common-passwords.txt', 'w') as out:
    out.write("# The 30 000 most common passwords, most common first: the \"passwords\"\n")
    out.write("# frequency list of zxcvbn (Dropbox, MIT licence), as shipped by Debian's\n")
    out.write("# python3-zxcvbn 4.4.28 (zxcvbn/frequency_lists.py). Compiled into\n")
    out.write("# sesame-authd; regenerate with data/update-common-passwords.sh.\n")
    for p in pw:
        out.write(p + "\n")
PY
