#!/usr/bin/env bash
# packaging/test-packages.sh: proof that Sésame's DEB and RPM packages build,
# lint clean, install, work and purge clean. Run as root on Debian 12.
#
#   packaging/test-packages.sh [--worktree] [--nocheck] [--keep] [--out DIR]
#
#   --worktree  build from the working tree (tracked and untracked files that
#               .gitignore does not exclude, uncommitted changes included)
#               instead of "git archive HEAD"
#   --nocheck   do not run the unit tests during the package builds
#   --keep      keep the temporary folder (sources, logs, packages)
#   --out DIR   copy the built .deb/.rpm files and the build logs to DIR
#
# Steps: install the tools and build dependencies (apt-get); build the .debs
# (dpkg-buildpackage -us -uc -b) and the RPMs (rpmbuild --nodeps) from a clean
# copy; lintian (no unoverridden error or warning) and rpmlint (no error);
# dpkg -i; start the daemon the way its unit does (ExecStart as User= through
# runuser, RuntimeDirectory, UMask, NOTIFY_SOCKET); enroll test users with the
# installed sesamectl and oathtool; pamtester through /etc/pam.d/sesame-pkgtest
# (pam_unix + pam_sesame: right code passes, replayed and wrong codes fail);
# pam-auth-update with the profile, and a login through common-auth;
# systemd-analyze security (<= 2.0) and verify; reinstall keeps the master
# key; remove keeps key and database; purge leaves only the system user
# (Debian does not delete system users); rpm -qpl/-qpc/--scripts.
#
# Everything it changes is undone on exit (processes it started, /etc/pam.d
# and /var/lib/pam files, test users, the sesame user if this run created
# it, packages still installed). Exit status 0 only if every check passed.
set -euo pipefail
export LC_ALL=C.UTF-8

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=head NOCHECK=0 KEEP=0 OUT=
while (($#)); do
	case $1 in
	--worktree) MODE=worktree ;;
	--nocheck) NOCHECK=1 ;;
	--keep) KEEP=1 ;;
	--out) OUT=${2:?--out needs a folder}; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "test-packages.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

STEP=0 CHECKS=0 START=$(date +%s)
step() { STEP=$((STEP + 1)); printf '\n==> [%d] %s\n' "$STEP" "$*"; }
ok()   { CHECKS=$((CHECKS + 1)); printf '    ok: %s\n' "$*"; }
note() { printf '    note: %s\n' "$*"; }
fail() { printf '    FAIL: %s\n' "$*" >&2; exit 1; }
# grep that reads all its input (grep -q in a pipe may kill the writer: SIGPIPE)
has() { grep "$@" >/dev/null; }
# show the end of a log file, indented
tail_log() { [[ -f $1 ]] && tail -n "${2:-40}" "$1" | sed 's/^/      | /' >&2; return 0; }

[[ $(id -u) == 0 ]] || { echo "test-packages.sh: run as root" >&2; exit 2; }
[[ -r /etc/debian_version ]] || { echo "test-packages.sh: needs Debian (12)" >&2; exit 2; }

T=$(mktemp -d /tmp/sesame-pkgtest.XXXXXX)
chmod 0711 "$T"       # the sesame user reaches the notify socket in $T/notify
mkdir -p "$T/logs" "$T/backup"
SVC=sesame-pkgtest SVC2=sesame-pkgtest-common
TUSER_A=sespkga$$ TUSER_B=sespkgb$$
TPASS="Pk-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
SESAME_PREEXISTED=0 INSTALLED=0 USERS_CREATED=() RUNDIR_CREATED=
RUNUSER_PID='' DAEMON_PID='' LISTENER_PID=''

# ---------------------------------------------------------------- cleanup
restore_pam() {
	local f
	for f in "$T"/backup/pam.d/common-*; do
		[[ -e $f ]] || continue
		cmp -s "$f" "/etc/pam.d/${f##*/}" || cp -p "$f" "/etc/pam.d/${f##*/}"
	done
	for f in "$T"/backup/varlibpam/*; do
		[[ -e $f ]] || continue
		cmp -s "$f" "/var/lib/pam/${f##*/}" || cp -p "$f" "/var/lib/pam/${f##*/}"
	done
	rm -f "/etc/pam.d/$SVC" "/etc/pam.d/$SVC2"
}
cleanup() {
	local rc=$? u
	trap - EXIT
	set +e
	[[ -n $LISTENER_PID ]] && kill "$LISTENER_PID" 2>/dev/null
	if [[ -n $DAEMON_PID ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"; sleep 1; kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	[[ -n $RUNUSER_PID ]] && { kill "$RUNUSER_PID" 2>/dev/null; wait "$RUNUSER_PID" 2>/dev/null; }
	[[ -n $LISTENER_PID ]] && wait "$LISTENER_PID" 2>/dev/null
	if ((INSTALLED)); then
		for p in libpam-sesame sesame-authd; do
			dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | has -v '^not-installed$' &&
				dpkg_locked --purge "$p" >>"$T/logs/cleanup.log" 2>&1
		done
	fi
	[[ -n $RUNDIR_CREATED ]] && rm -rf "$RUNDIR_CREATED"
	[[ -f $T/backup/pam.saved ]] && restore_pam
	for u in "${USERS_CREATED[@]}"; do userdel "$u" >/dev/null 2>&1; done
	if ((!SESAME_PREEXISTED)) && getent passwd sesame >/dev/null; then
		userdel sesame >/dev/null 2>&1
		getent group sesame >/dev/null && groupdel sesame >/dev/null 2>&1
		note "removed the sesame user and group that this run created"
	fi
	if [[ -n $OUT ]]; then
		mkdir -p "$OUT" && cp -p "$T"/deb/*.deb "$T"/rpmbuild/RPMS/*/*.rpm "$T"/logs/* "$OUT"/ 2>/dev/null
	fi
	if ((KEEP)); then note "kept $T"; else rm -rf "$T"; fi
	if ((rc == 0)); then
		printf '\nPASS: %d checks in %d s\n' "$CHECKS" $(($(date +%s) - START))
	else
		printf '\nFAILED at step %d (%d checks passed before), after %d s\n' "$STEP" "$CHECKS" $(($(date +%s) - START)) >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# dpkg has no lock timeout of its own: retry while apt/dpkg of someone else runs.
dpkg_locked() {
	local i out
	out=$(mktemp "$T/dpkg.XXXXXX")
	for i in $(seq 1 120); do
		if dpkg "$@" 2>"$out"; then cat "$out" >&2; rm -f "$out"; return 0; fi
		grep -Eq 'frontend lock|status database area is locked' "$out" || { cat "$out" >&2; rm -f "$out"; return 1; }
		sleep 5
	done
	cat "$out" >&2; rm -f "$out"; return 1
}
APT=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive

# ============================================================== preflight
step "preflight ($MODE mode, repository $REPO)"
for p in sesame-authd libpam-sesame; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ -z $st || $st == not-installed ]] || fail "$p is already on this system ($st): purge it first"
done
[[ ! -e /etc/pam.d/$SVC && ! -e /etc/pam.d/$SVC2 ]] || fail "/etc/pam.d/$SVC exists (left by an interrupted run?): remove it"
[[ ! -e /run/sesame ]] || fail "/run/sesame exists: is a sesame-authd already running here?"
grep -qs pam_sesame /etc/pam.d/common-* && fail "/etc/pam.d/common-* already use pam_sesame"
getent passwd sesame >/dev/null && SESAME_PREEXISTED=1
ok "no Sésame package, PAM service or runtime folder on this system"

# ============================================================== tools
step "tools (apt-get, only what is missing)"
need=(git dpkg-dev debhelper lintian rpm rpmlint file pamtester oathtool systemd python3 passwd)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | has -x installed || missing+=("$p")
done
if ((${#missing[@]})); then
	note "installing ${missing[*]}"
	"${APT[@]}" update >"$T/logs/apt.log" 2>&1 || { tail_log "$T/logs/apt.log"; fail "apt-get update"; }
	"${APT[@]}" install "${missing[@]}" >>"$T/logs/apt.log" 2>&1 || { tail_log "$T/logs/apt.log"; fail "apt-get install"; }
fi
ok "tools present: ${need[*]}"

# ============================================================== clean copy
step "clean copy of the source tree"
VERSION=$(sed -n 's/^project(sesame VERSION \([0-9.]*\).*/\1/p' "$REPO/CMakeLists.txt")
[[ -n $VERSION ]] || fail "no version in CMakeLists.txt"
SRC=$T/src/sesame-$VERSION
mkdir -p "$SRC"
if [[ $MODE == head ]]; then
	git -C "$REPO" archive --format=tar HEAD | tar -x -C "$SRC"
	note "git archive HEAD ($(git -C "$REPO" rev-parse --short HEAD))"
else
	(cd "$REPO" && git ls-files -z -c -o --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -x -C "$SRC"
	note "working tree: $(git -C "$REPO" status --porcelain | wc -l) uncommitted or untracked paths included"
fi
[[ -d $SRC/packaging/debian && -f $SRC/packaging/rpm/sesame.spec ]] ||
	fail "packaging/debian or packaging/rpm/sesame.spec missing from the copy (not committed? try --worktree)"
DEB_VERSION=$(dpkg-parsechangelog -l "$SRC/packaging/debian/changelog" -S Version)
SPEC_VERSION=$(sed -n 's/^Version: *//p' "$SRC/packaging/rpm/sesame.spec")
[[ ${DEB_VERSION%-*} == "$VERSION" && $SPEC_VERSION == "$VERSION" ]] ||
	fail "versions differ: CMakeLists.txt $VERSION, debian/changelog $DEB_VERSION, sesame.spec $SPEC_VERSION"
ok "version $VERSION everywhere (Debian $DEB_VERSION)"

# ============================================================== DEB build
step "build the .debs (dpkg-buildpackage -us -uc -b)"
mkdir -p "$T/deb"
cp -a "$SRC" "$T/deb/"
cp -a "$T/deb/sesame-$VERSION/packaging/debian" "$T/deb/sesame-$VERSION/debian"
if ! (cd "$T/deb/sesame-$VERSION" && dpkg-checkbuilddeps) >"$T/logs/builddeps.log" 2>&1; then
	note "installing build dependencies (apt-get build-dep)"
	"${APT[@]}" build-dep "$T/deb/sesame-$VERSION" >>"$T/logs/builddeps.log" 2>&1 ||
		{ tail_log "$T/logs/builddeps.log"; fail "apt-get build-dep"; }
fi
DBO=${DEB_BUILD_OPTIONS:-}
((NOCHECK)) && DBO="$DBO nocheck"
if ! (cd "$T/deb/sesame-$VERSION" && DEB_BUILD_OPTIONS="${DBO# }" dpkg-buildpackage -us -uc -b) >"$T/logs/deb-build.log" 2>&1; then
	tail_log "$T/logs/deb-build.log" 60; fail "dpkg-buildpackage (log above)"
fi
ARCH=$(dpkg --print-architecture)
DEB_AUTHD=$T/deb/sesame-authd_${DEB_VERSION}_$ARCH.deb
DEB_PAM=$T/deb/libpam-sesame_${DEB_VERSION}_$ARCH.deb
[[ -f $DEB_AUTHD && -f $DEB_PAM ]] || fail "expected .debs not built: $(ls "$T/deb")"
if ((NOCHECK)); then note "unit tests skipped (--nocheck)"; else
	grep -q '100% tests passed' "$T/logs/deb-build.log" || fail "unit tests did not all pass in the Debian build"
	ok "unit tests (ctest -L unit) passed in the Debian build"
fi
ok "built $(cd "$T/deb" && echo ./*.deb)"

MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
dpkg-deb -c "$DEB_PAM" | awk '{print $NF}' >"$T/logs/deb-files-pam.txt"
dpkg-deb -c "$DEB_AUTHD" | awk '{print $NF}' >"$T/logs/deb-files-authd.txt"
for f in "usr/lib/$MA/security/pam_sesame.so" usr/share/pam-configs/sesame usr/share/pam-configs/sesame-password usr/share/man/man8/pam_sesame.8.gz; do
	grep -qx "\./$f" "$T/logs/deb-files-pam.txt" || fail "libpam-sesame lacks /$f"
done
for f in usr/sbin/sesame-authd usr/bin/sesamectl lib/systemd/system/sesame-authd.service \
	usr/lib/sysusers.d/sesame-authd.conf usr/lib/tmpfiles.d/sesame-authd.conf etc/sesame/authd.conf \
	usr/share/man/man8/sesame-authd.8.gz usr/share/man/man5/sesame-authd.conf.5.gz \
	usr/share/man/man1/sesamectl.1.gz; do
	grep -qx "\./$f" "$T/logs/deb-files-authd.txt" || fail "sesame-authd lacks /$f"
done
[[ $(dpkg-deb -f "$DEB_AUTHD" Depends) == *systemd* ]] || fail "sesame-authd does not depend on systemd-sysusers"
ok "contents: module in /usr/lib/$MA/security, profile, daemon, sesamectl, unit, sysusers, tmpfiles, conffile, 4 man pages"

# ============================================================== lintian
step "lintian (fails on any error or warning that is not overridden)"
# (--show-overrides makes lintian count the overridden tags too: judge by the tags)
set +e
lintian --display-info --show-overrides "$T/deb/sesame_${DEB_VERSION}_$ARCH.changes" >"$T/logs/lintian.log" 2>&1
rc=$?
set -e
sed 's/^/      | /' "$T/logs/lintian.log"
((rc == 0 || rc == 2)) || fail "lintian could not run (exit $rc)"
if grep -Eq '^[EW]: ' "$T/logs/lintian.log"; then fail "lintian errors or warnings (lines E: and W: above)"; fi
ok "lintian: no error, no unoverridden warning ($(grep -c '^O: ' "$T/logs/lintian.log" || true) overridden tags, each with a comment in debian/*.lintian-overrides)"

# ============================================================== RPM build
step "build the RPMs (rpmbuild -bb --nodeps)"
RB=$T/rpmbuild
mkdir -p "$RB/SOURCES"
tar -C "$T/src" -czf "$RB/SOURCES/sesame-$VERSION.tar.gz" "sesame-$VERSION"
cp "$SRC/packaging/sysusers.d/sesame-authd.conf" "$RB/SOURCES/"
RPMOPTS=(--nodeps --define "_topdir $RB"
	# the build system names the packager (Fedora's guidelines keep it out of specs)
	--define "packager Sesame CI <maintainers@users.noreply.r-seed-62953e7f.example>"
	# Debian's brp-compress uses "read -d" but starts with #!/bin/sh (dash)
	--define "__brp_compress /bin/bash %{_rpmconfigdir}/brp-compress %{?_prefix}")
((NOCHECK)) && RPMOPTS+=(--nocheck)
if ! rpmbuild -bb "${RPMOPTS[@]}" "$SRC/packaging/rpm/sesame.spec" >"$T/logs/rpm-build.log" 2>&1; then
	tail_log "$T/logs/rpm-build.log" 60; fail "rpmbuild (log above)"
fi
RPM_MAIN=$(ls "$RB"/RPMS/*/sesame-"$VERSION"-*.rpm)
RPM_PAM=$(ls "$RB"/RPMS/*/pam_sesame-"$VERSION"-*.rpm)
((NOCHECK)) || { grep -q '100% tests passed' "$T/logs/rpm-build.log" || fail "unit tests did not all pass in %check"; }
ok "built ${RPM_MAIN##*/} ${RPM_PAM##*/}"

step "rpmlint (fails on any error)"
set +e
rpmlint -c "$SRC/packaging/rpm/rpmlint.toml" "$SRC/packaging/rpm/sesame.spec" "$RPM_MAIN" "$RPM_PAM" >"$T/logs/rpmlint.log" 2>&1
rc=$?
set -e
sed 's/^/      | /' "$T/logs/rpmlint.log"
if ! grep -q ' 0 errors' "$T/logs/rpmlint.log" || ((rc == 64)); then fail "rpmlint reports errors (exit $rc)"; fi
ok "rpmlint: 0 errors"

step "RPM contents and scriptlets (rpm -qpl, -qpc, --scripts)"
rpm -qpl "$RPM_MAIN" "$RPM_PAM" >"$T/logs/rpm-files.txt"
for f in /usr/sbin/sesame-authd /usr/bin/sesamectl /usr/lib/systemd/system/sesame-authd.service \
	/usr/lib/sysusers.d/sesame-authd.conf /usr/lib/tmpfiles.d/sesame-authd.conf /etc/sesame/authd.conf \
	/var/lib/sesame /usr/share/man/man8/sesame-authd.8.gz /usr/share/man/man5/sesame-authd.conf.5.gz \
	/usr/share/man/man1/sesamectl.1.gz /usr/lib64/security/pam_sesame.so /usr/share/man/man8/pam_sesame.8.gz; do
	grep -qx "$f" "$T/logs/rpm-files.txt" || fail "rpm -qpl: $f missing"
done
rpm -qpl "$RPM_PAM" | has -x /usr/lib64/security/pam_sesame.so || fail "pam_sesame.so not in the pam_sesame RPM"
[[ $(rpm -qpc "$RPM_MAIN") == /etc/sesame/authd.conf ]] || fail "rpm -qpc: $(rpm -qpc "$RPM_MAIN")"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM_MAIN" | has -x 'cn /etc/sesame/authd.conf' ||
	fail "authd.conf is not %config(noreplace)"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$RPM_MAIN" |
	has -x 'drwx------ sesame:sesame /var/lib/sesame' || fail "/var/lib/sesame is not 0700 sesame:sesame"
ok "files: daemon, sesamectl, unit, sysusers, tmpfiles, man pages; %config(noreplace) authd.conf; /var/lib/sesame 0700 sesame; module in /usr/lib64/security"
rpm -qp --scripts "$RPM_MAIN" >"$T/logs/rpm-scripts.txt"
sed 's/^/      | /' "$T/logs/rpm-scripts.txt"
scriptlet() { awk -v h="$1 scriptlet" 'index($0, h) == 1 {on = 1; next} / scriptlet .*:$/ {on = 0} on' "$T/logs/rpm-scripts.txt"; }
scriptlet preinstall | has -E 'useradd|sysusers' || fail "%pre does not create the sesame user"
scriptlet postinstall | has 'sesamectl keygen /var/lib/sesame/master.key' || fail "%post does not create the master key"
scriptlet postinstall | has 'sesame-authd.service' || fail "%post has no %systemd_post"
scriptlet postinstall | has 'systemd-tmpfiles --create sesame-authd.conf' || fail "%post has no %tmpfiles_create"
scriptlet preuninstall | has 'sesame-authd.service' || fail "%preun has no %systemd_preun"
scriptlet postuninstall | has 'sesame-authd.service' || fail "%postun has no %systemd_postun_with_restart"
[[ -z $(rpm -qp --scripts "$RPM_PAM") ]] || fail "pam_sesame has scriptlets"
ok "scriptlets: %pre user, %post tmpfiles + keygen + systemd_post, %preun systemd_preun, %postun try-restart"

# ============================================================== install
step "test users, backups, snapshot of the file system"
for u in "$TUSER_A" "$TUSER_B"; do
	useradd -M -s /usr/sbin/nologin -c "sesame package test" "$u"; USERS_CREATED+=("$u")
	echo "$u:$TPASS" | chpasswd
done
mkdir -p "$T/backup/pam.d" "$T/backup/varlibpam"
cp -p /etc/pam.d/common-* "$T/backup/pam.d/"
cp -p /var/lib/pam/* "$T/backup/varlibpam/" 2>/dev/null || true
touch "$T/backup/pam.saved"
snapshot() {
	find /etc /usr /var /run /opt /srv \
		\( -path /var/cache -o -path /var/log -o -path /var/tmp -o -path /var/lib/apt -o -path /var/lib/dpkg \
		-o -path /var/backups -o -path /var/mail -o -path /run/user -o -path '/usr/lib/python3*' \) -prune -o -print 2>/dev/null |
		LC_ALL=C sort
}
snapshot >"$T/before.txt"
ok "users $TUSER_A and $TUSER_B; /etc/pam.d/common-* and /var/lib/pam saved; $(wc -l <"$T/before.txt") paths recorded"

step "dpkg -i the .debs"
INSTALLED=1
dpkg_locked -i "$DEB_PAM" "$DEB_AUTHD" >"$T/logs/dpkg-install.log" 2>&1 || { tail_log "$T/logs/dpkg-install.log"; fail "dpkg -i"; }
for p in sesame-authd libpam-sesame; do
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$p") == installed ]] || fail "$p is not installed"
done
pw=$(getent passwd sesame) || fail "no sesame user"
IFS=: read -r _ _ suid sgid _ shome sshell <<<"$pw"
((suid < 1000)) || fail "sesame is not a system user (uid $suid)"
[[ $sshell == */nologin && $shome == /var/lib/sesame ]] || fail "sesame user: home $shome, shell $sshell"
[[ $(getent group sesame | cut -d: -f3) == "$sgid" ]] || fail "sesame's primary group is not sesame"
[[ $(stat -c '%a %U:%G' /var/lib/sesame) == '700 sesame:sesame' ]] || fail "/var/lib/sesame: $(stat -c '%a %U:%G' /var/lib/sesame)"
KEY=/var/lib/sesame/master.key
[[ $(stat -c '%a %U:%G' "$KEY" 2>/dev/null) == '600 sesame:sesame' ]] || fail "master key: $(stat -c '%a %U:%G' "$KEY" 2>&1)"
KEYSUM=$(sha256sum "$KEY")
dpkg-query -W -f='${Conffiles}\n' sesame-authd | has '^ /etc/sesame/authd.conf ' || fail "authd.conf is not a conffile"
grep -qs pam_sesame /etc/pam.d/common-* && fail "the profile was enabled at installation (it must be Default: no)"
[[ -f /usr/lib/$MA/security/pam_sesame.so ]] || fail "no /usr/lib/$MA/security/pam_sesame.so"
for m in pam_sesame.8 sesame-authd.8 sesame-authd.conf.5 sesamectl.1; do
	[[ -f /usr/share/man/man${m##*.}/$m.gz ]] || fail "man page $m not installed"
done
ok "installed; sesame system user (uid $suid, nologin); /var/lib/sesame 0700; master key 0600 sesame; conffile; profile not enabled; 4 man pages"

step "reinstall (dpkg -i again): the master key is never overwritten"
dpkg_locked -i "$DEB_PAM" "$DEB_AUTHD" >>"$T/logs/dpkg-install.log" 2>&1 || { tail_log "$T/logs/dpkg-install.log"; fail "dpkg -i (again)"; }
[[ $(sha256sum "$KEY") == "$KEYSUM" ]] || fail "the master key changed on reinstall"
ok "master key unchanged"

# ============================================================== daemon
step "start the daemon the way sesame-authd.service does (no systemd here)"
UNIT=/lib/systemd/system/sesame-authd.service
uval() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
[[ $(uval Type) == notify && $(uval User) == sesame && $(uval Group) == sesame ]] || fail "unit: Type/User/Group"
read -r -a EXEC <<<"$(uval ExecStart)"
RUNDIR=/run/$(uval RuntimeDirectory)
[[ $RUNDIR == /run/sesame ]] || fail "RuntimeDirectory=$(uval RuntimeDirectory)"
# what systemd does before ExecStart: the runtime folder, owned by User/Group
install -d -o sesame -g sesame -m "$(uval RuntimeDirectoryMode)" "$RUNDIR"; RUNDIR_CREATED=$RUNDIR
mkdir -m 0755 "$T/notify"
python3 - "$T/notify/sock" 20 "$T/notify/bound" >"$T/notify/got" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.settimeout(float(sys.argv[2]))
open(sys.argv[3], "w").close()
try:
    while True:
        msg = s.recv(4096).decode(errors="replace")
        if "READY=1" in msg.split("\n"):
            print(msg.replace("\n", " ").strip()); sys.exit(0)
except socket.timeout:
    sys.exit(1)
PY
LISTENER_PID=$!
for _ in $(seq 1 100); do [[ -e $T/notify/bound ]] && break; sleep 0.05; done
(umask "$(uval UMask)"; NOTIFY_SOCKET=$T/notify/sock exec runuser -u sesame -- "${EXEC[@]}") >"$T/logs/authd.log" 2>&1 &
RUNUSER_PID=$!
wait "$LISTENER_PID" || { LISTENER_PID=; tail_log "$T/logs/authd.log"; fail "no READY=1 from the daemon within 20 s"; }
LISTENER_PID=
DAEMON_PID=$(pgrep -P "$RUNUSER_PID" -x sesame-authd) || fail "no sesame-authd under runuser"
[[ $(ps -o user= -p "$DAEMON_PID") == sesame ]] || fail "the daemon does not run as sesame"
[[ $(tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline") == "${EXEC[*]} " ]] || fail "the daemon's command line is not ExecStart"
[[ $(stat -c '%a %U:%G' "$RUNDIR/authd.sock") == '660 sesame:sesame' ]] || fail "socket: $(stat -c '%a %U:%G' "$RUNDIR/authd.sock")"
ok "pid $DAEMON_PID as sesame, \"${EXEC[*]}\", sd_notify \"$(cat "$T/notify/got")\", socket 0660 sesame:sesame"

# ============================================================== enroll + PAM
step "enroll $TUSER_A and $TUSER_B with the installed sesamectl, confirm with oathtool"
declare -A SECRET
for u in "$TUSER_A" "$TUSER_B"; do
	sesamectl --json totp enroll "$u" >"$T/enroll-$u.json" 2>>"$T/logs/sesamectl.log" || { tail_log "$T/logs/sesamectl.log"; fail "totp enroll $u"; }
	SECRET[$u]=$(python3 -c 'import json, sys, urllib.parse as p
d = json.load(open(sys.argv[1]))
print(p.parse_qs(p.urlparse(d["otpauth_uri"]).query)["secret"][0])' "$T/enroll-$u.json")
	sesamectl totp confirm "$u" "$(oathtool --totp -b "${SECRET[$u]}")" >>"$T/logs/sesamectl.log" 2>&1 ||
		{ tail_log "$T/logs/sesamectl.log"; fail "totp confirm $u"; }
	sesamectl --json totp list "$u" | python3 -c 'import json, sys
sys.exit(0 if [c for c in json.load(sys.stdin)["totp"] if c["confirmed"]] else 1)' || fail "$u has no confirmed credential"
done
ok "both users have a confirmed TOTP credential"

# a code the daemon accepts and has not seen: the next step (window +-1)
next_code() { oathtool --totp -b -N "now + 30 seconds" "$1"; }
# a code that is valid at no step within +-10 minutes
wrong_code() {
	local valid c i
	valid=$(oathtool --totp -b -w 40 -N "now - 10 minutes" "$1")
	for i in $(seq 1 60); do
		c=$(printf '%06d' $(( (10#$(next_code "$1") + 500000 + i * 7919) % 1000000 )))
		grep -qx "$c" <<<"$valid" || { echo "$c"; return; }
	done
	return 1
}
pam_try() { # service user code: 0 if pamtester authenticates
	printf '%s\n%s\n' "$TPASS" "$3" | timeout 60 pamtester -v "$1" "$2" authenticate >>"$T/logs/pamtester.log" 2>&1
}

step "pamtester through /etc/pam.d/$SVC (pam_unix, then pam_sesame.so)"
cat >"/etc/pam.d/$SVC" <<EOF
# written by packaging/test-packages.sh, removed when it ends
auth     requisite  pam_unix.so
auth     required   pam_sesame.so
account  required   pam_unix.so
account  required   pam_sesame.so
EOF
code=$(next_code "${SECRET[$TUSER_A]}")
pam_try "$SVC" "$TUSER_A" "$code" || { tail_log "$T/logs/pamtester.log"; tail_log "$T/logs/authd.log"; fail "the right code was refused"; }
ok "password + right code: authenticated"
timeout 60 pamtester "$SVC" "$TUSER_A" acct_mgmt >>"$T/logs/pamtester.log" 2>&1 || { tail_log "$T/logs/pamtester.log"; fail "acct_mgmt refused"; }
ok "account management: not locked"
pam_try "$SVC" "$TUSER_A" "$code" && fail "a replayed code was accepted"
ok "password + the same code again: refused"
pam_try "$SVC" "$TUSER_A" "$(wrong_code "${SECRET[$TUSER_A]}")" && fail "a wrong code was accepted"
ok "password + wrong code: refused"
reasons=$(sesamectl --json audit --user "$TUSER_A" | python3 -c 'import json, sys
print(" ".join(sorted(e["reason"] for e in json.load(sys.stdin)["events"] if e["service"] == sys.argv[1])))' "$SVC")
[[ $reasons == 'code_reused ok wrong_code' ]] || fail "audit log of $SVC: reasons \"$reasons\", expected ok, code_reused, wrong_code"
ok "the daemon's audit log has the three attempts of service $SVC: $reasons"
rm -f "/etc/pam.d/$SVC"

# ============================================================== pam-auth-update
step "pam-auth-update with the profile"
pam-auth-update --package >>"$T/logs/pam-auth-update.log" 2>&1 || fail "pam-auth-update --package"
for f in "$T"/backup/pam.d/common-*; do cmp -s "$f" "/etc/pam.d/${f##*/}" || fail "pam-auth-update --package changed ${f##*/}"; done
ok "pam-auth-update --package: accepted, nothing enabled (Default: no)"
pam-auth-update --enable sesame >>"$T/logs/pam-auth-update.log" 2>&1 || fail "pam-auth-update --enable sesame"
sed 's/^/      | /' <(grep -v '^#' /etc/pam.d/common-auth | grep -v '^$')
[[ $(grep -c pam_sesame /etc/pam.d/common-auth) == 1 ]] || fail "common-auth: not exactly one pam_sesame line"
grep -Eq '^auth[[:space:]]+required[[:space:]]+pam_sesame\.so[[:space:]]*$' /etc/pam.d/common-auth || fail "common-auth: pam_sesame is not \"required\""
l_permit=$(grep -n 'pam_permit\.so' /etc/pam.d/common-auth | head -n1 | cut -d: -f1)
l_sesame=$(grep -n 'pam_sesame\.so' /etc/pam.d/common-auth | cut -d: -f1)
l_unix=$(grep -n 'pam_unix\.so' /etc/pam.d/common-auth | head -n1 | cut -d: -f1)
if [[ -z $l_permit || -z $l_unix ]] || ((l_sesame < l_unix || l_sesame < l_permit)); then
	fail "common-auth: pam_sesame is not after the password block"
fi
grep -qs pam_sesame /etc/pam.d/common-account /etc/pam.d/common-password /etc/pam.d/common-session* && fail "the profile touched other common-* files"
ok "enabled: \"auth required pam_sesame.so\" after the primary block (pam_unix, pam_deny, pam_permit)"
printf '# written by packaging/test-packages.sh, removed when it ends\n@include common-auth\n@include common-account\n' >"/etc/pam.d/$SVC2"
pam_try "$SVC2" "$TUSER_B" "$(next_code "${SECRET[$TUSER_B]}")" || { tail_log "$T/logs/pamtester.log"; fail "common-auth: the right code was refused"; }
ok "through common-auth: password + right code authenticated"
pam_try "$SVC2" "$TUSER_B" "$(wrong_code "${SECRET[$TUSER_B]}")" && fail "common-auth: a wrong code was accepted"
ok "through common-auth: password + wrong code refused"
pam-auth-update --disable sesame >>"$T/logs/pam-auth-update.log" 2>&1 || fail "pam-auth-update --disable sesame"
for f in "$T"/backup/pam.d/common-*; do cmp -s "$f" "/etc/pam.d/${f##*/}" || fail "--disable did not restore ${f##*/}"; done
rm -f "/etc/pam.d/$SVC2"
ok "disabled again: /etc/pam.d/common-* identical to the originals"
pam-auth-update --enable sesame-password >>"$T/logs/pam-auth-update.log" 2>&1 || fail "pam-auth-update --enable sesame-password"
sed 's/^/      | /' <(grep -v '^#' /etc/pam.d/common-password | grep -v '^$')
l_sesame=$(grep -n 'pam_sesame\.so' /etc/pam.d/common-password | cut -d: -f1)
l_unix=$(grep -n 'pam_unix\.so' /etc/pam.d/common-password | head -n1 | cut -d: -f1)
[[ -n $l_sesame && -n $l_unix ]] && ((l_sesame < l_unix)) || fail "common-password: pam_sesame is not before pam_unix"
grep -Eq '^password[[:space:]]+requisite[[:space:]]+pam_sesame\.so retry=3' /etc/pam.d/common-password || fail "common-password: no requisite pam_sesame.so"
grep -Eq 'pam_unix\.so.*use_authtok' /etc/pam.d/common-password || fail "common-password: pam_unix does not use the checked password (use_authtok)"
grep -qs pam_sesame /etc/pam.d/common-auth /etc/pam.d/common-account && fail "sesame-password touched other common-* files"
pam-auth-update --disable sesame-password >>"$T/logs/pam-auth-update.log" 2>&1 || fail "pam-auth-update --disable sesame-password"
for f in "$T"/backup/pam.d/common-*; do cmp -s "$f" "/etc/pam.d/${f##*/}" || fail "--disable did not restore ${f##*/}"; done
ok "sesame-password: \"password requisite pam_sesame.so retry=3\" before pam_unix use_authtok; disabled again"

# ============================================================== systemd-analyze
step "systemd-analyze on the installed unit"
systemd-analyze security --offline=true "$UNIT" >"$T/logs/analyze-security.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for sesame-authd.service: \([0-9.]*\).*/\1/p' "$T/logs/analyze-security.log")
[[ -n $score ]] || { tail_log "$T/logs/analyze-security.log"; fail "no exposure level from systemd-analyze security"; }
grep '✗' "$T/logs/analyze-security.log" | sed 's/^/      | /'
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure level $score is above 2.0"
ok "systemd-analyze security --offline=true: exposure $score (<= 2.0)"
systemd-analyze verify --man=no "$UNIT" >"$T/logs/analyze-verify.log" 2>&1 || { tail_log "$T/logs/analyze-verify.log"; fail "systemd-analyze verify"; }
ok "systemd-analyze verify: no complaint"

step "stop the daemon with SIGTERM"
kill -TERM "$DAEMON_PID"
for _ in $(seq 1 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$DAEMON_PID" 2>/dev/null && fail "the daemon ignored SIGTERM for 5 s"
set +e; wait "$RUNUSER_PID"; rc=$?; set -e
RUNUSER_PID='' DAEMON_PID=''
((rc == 0)) || { tail_log "$T/logs/authd.log"; fail "the daemon exited with status $rc"; }
rm -rf "$RUNDIR"; RUNDIR_CREATED=     # systemd removes RuntimeDirectory= at stop
ok "stopped cleanly (status 0)"

# ============================================================== remove, purge
step "dpkg --remove: configuration, master key and database stay"
dpkg_locked --remove libpam-sesame sesame-authd >"$T/logs/dpkg-remove.log" 2>&1 || { tail_log "$T/logs/dpkg-remove.log"; fail "dpkg --remove"; }
[[ $(sha256sum "$KEY" 2>/dev/null) == "$KEYSUM" ]] || fail "the master key did not survive remove"
[[ -f /var/lib/sesame/sesame.db && -f /etc/sesame/authd.conf ]] || fail "database or configuration gone on remove"
[[ ! -e /usr/share/pam-configs/sesame && ! -e /usr/share/pam-configs/sesame-password && ! -e /usr/lib/$MA/security/pam_sesame.so ]] || fail "module files remain after remove"
grep -qs pam_sesame /etc/pam.d/common-* && fail "common-* still use pam_sesame after remove"
ok "removed; key, database and authd.conf kept"

step "dpkg --purge: nothing left but what Debian policy keeps"
dpkg_locked --purge libpam-sesame sesame-authd >"$T/logs/dpkg-purge.log" 2>&1 || { tail_log "$T/logs/dpkg-purge.log"; fail "dpkg --purge"; }
INSTALLED=0
for p in sesame-authd libpam-sesame; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ -z $st || $st == not-installed ]] || fail "$p still known to dpkg ($st)"
done
for d in /var/lib/sesame /etc/sesame /run/sesame; do [[ ! -e $d ]] || fail "$d left after purge"; done
grep -rqs pam_sesame /etc/pam.d && fail "/etc/pam.d still mentions pam_sesame"
for f in "$T"/backup/pam.d/common-*; do cmp -s "$f" "/etc/pam.d/${f##*/}" || fail "/etc/pam.d/${f##*/} differs from before"; done
for f in "$T"/backup/varlibpam/*; do cmp -s "$f" "/var/lib/pam/${f##*/}" || fail "/var/lib/pam/${f##*/} differs from before"; done
snapshot >"$T/after.txt"
LC_ALL=C comm -13 "$T/before.txt" "$T/after.txt" >"$T/new.txt"
ours=$(grep -Ei 'sesame|^/etc/systemd|^/var/lib/systemd|^/etc/pam\.d|^/var/lib/pam|^/usr/share/(pam-configs|doc|man)/|^/usr/lib/(sysusers|tmpfiles)\.d|/security/' "$T/new.txt" || true)
[[ -z $ours ]] || { sed 's/^/      | /' <<<"$ours" >&2; fail "paths left by the packages"; }
others=$(grep -c . "$T/new.txt" || true)
((others == 0)) || note "$others new paths elsewhere, not from these packages (other activity on this machine), e.g. $(head -n 3 "$T/new.txt" | tr '\n' ' ')"
getent passwd sesame >/dev/null && note "the sesame system user and group stay after purge, as Debian does for system users"
ok "purged: no file, folder, unit link, PAM change or state left"
