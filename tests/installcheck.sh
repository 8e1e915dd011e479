#!/bin/sh
# installcheck.sh: check what make install put in place (make installcheck)
#
# Usage: installcheck.sh DESTDIR BINDIR CGIDIR CONFDIR PKGDATADIR MANDIR
# The directories are the configured ones; DESTDIR (may be empty) is
# prepended to each.  Prints "not ok" lines and exits 1 on a problem.

set -u
[ $# -eq 6 ] || { echo "usage: $0 DESTDIR BINDIR CGIDIR CONFDIR PKGDATADIR MANDIR" >&2; exit 2; }
d=$1 bindir=$2 cgidir=$3 confdir=$4 pkgdatadir=$5 mandir=$6
status=0
n=0

check() {
	n=$((n + 1))
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		status=1
	fi
}

# no_placeholder FILE: @BINDIR@, @CONFIG@ and @BERTHCTL@ were filled in.
# shellcheck disable=SC2317 # called through check
no_placeholder() {
	! grep -q '@BINDIR@\|@CONFIG@\|@BERTHCTL@' "$1"
}

for p in berth-blobs berth-manifests berth-catalog berth-token; do
	check "$p in the cgidir" test -x "$d$cgidir/$p"
done
check "berthctl in the bindir" test -x "$d$bindir/berthctl"
check "berthctl runs" "$d$bindir/berthctl" keys
check "berth.ini in sysconfdir/berth" test -f "$d$confdir/berth.ini"
check "the installed berth.ini is valid" \
	"$d$bindir/berthctl" check-config --config "$d$confdir/berth.ini"
for f in examples/berth.ini examples/access.rules \
	httpd-conf/apache.conf httpd-conf/lighttpd.conf \
	contrib/htaccess/README contrib/htaccess/fcgid.htaccess \
	contrib/htaccess/cgi.htaccess contrib/htaccess/berth-htaccess-setup \
	contrib/systemd/README contrib/systemd/berth@.socket \
	contrib/systemd/berth@.service \
	contrib/systemd/berth-purge-uploads.service \
	contrib/systemd/berth-purge-uploads.timer contrib/logrotate/berth; do
	check "$f in pkgdatadir" test -f "$d$pkgdatadir/$f"
	check "$f has the installed paths" no_placeholder "$d$pkgdatadir/$f"
done
check "apache.conf names the cgidir" \
	grep -q "$cgidir/berth-blobs" "$d$pkgdatadir/httpd-conf/apache.conf"
check "lighttpd.conf names the cgidir and the config" \
	grep -q "\"BERTH_CONFIG\" => \"$confdir/berth.ini\"" \
	"$d$pkgdatadir/httpd-conf/lighttpd.conf"
check "berth@.service runs the installed program" \
	grep -q "^ExecStart=.* $cgidir/berth-%i\$" \
	"$d$pkgdatadir/contrib/systemd/berth@.service"
check "berth-htaccess-setup is executable" \
	test -x "$d$pkgdatadir/contrib/htaccess/berth-htaccess-setup"
for m in man1/berthctl.1 man5/berth.ini.5 man8/berth.8; do
	check "$m in mandir" test -f "$d$mandir/$m"
done
echo "1..$n"
exit $status
