#!/usr/bin/env bats
# 63-berthctl-security.bats: berthctl check-config (each security warning
# and error, --json, --strict), berthctl keygen and berthctl token-doctor
#
# Only berthctl and, to prove that keygen's output works, the programs run
# as plain CGI; every test has its own files under $BATS_TEST_TMPDIR, so the
# file runs the same in every mode of the runner.
# modes: cgi

load helpers
load lib_auth
load lib_token

BERTHCTL=

setup_file() {
	local k=$BATS_FILE_TMPDIR/keys
	mkdir -p "$k/EdDSA" "$k/evil"
	"$BERTH_BUILDDIR/berthctl/berthctl" keygen --alg EdDSA --out "$k/EdDSA" >/dev/null || return 1
	openssl genpkey -algorithm ed25519 -out "$k/evil/ed.pem" 2>/dev/null || return 1
	export TOK_CACHE_DIR=$BATS_FILE_TMPDIR/tokcache
	mkdir -p "$TOK_CACHE_DIR"
}

setup() {
	export BERTH_MODE=cgi
	BERTHCTL=$BERTH_BUILDDIR/berthctl/berthctl
	K=$BATS_FILE_TMPDIR/keys
	D=$BATS_TEST_TMPDIR
	BERTH_STORE=$D/store
	mkdir -p "$BERTH_STORE"
	chmod 0750 "$BERTH_STORE"
	# A clean, secure starting point: bcrypt users in a 0600 file,
	# rules that limit delete, nothing for anonymous but pulls.
	htpasswd -cbB "$D/htpasswd" alice "$AUTH_PW_ALICE" 2>/dev/null
	chmod 0600 "$D/htpasswd"
	printf '%s\n' 'admin  **  *' '*  ${user}/**  pull,push' 'anonymous  public/**  pull' >"$D/access.rules"
	chmod 0600 "$D/access.rules"
	CFG=$D/berth.ini
}

# conf LINE...: write $CFG: storage, htpasswd auth and the rules, then the
# LINEs (whole sections, appended verbatim; a section may appear twice).
conf() {
	{
		printf '[storage]\npath = %s\n' "$BERTH_STORE"
		printf '[log]\nlevel = warn\nfile = %s\n' "$D/berth.log"
		printf '[auth]\nmethod = htpasswd\n'
		printf '[htpasswd]\npath = %s\n' "$D/htpasswd"
		printf '[access]\nrules = %s\n' "$D/access.rules"
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$CFG"
}

# check [ARGS...]: berthctl check-config --config $CFG ARGS (run; the
# report is on standard output, so $output holds only that).
check() {
	run --separate-stderr "$BERTHCTL" check-config --config "$CFG" "$@"
}

# assert_clean: exit 0, no warning, no error.
assert_clean() {
	assert_success
	refute_output --partial 'warning:'
	refute_output --partial 'error:'
	assert_output --partial 'ok (0 warnings)'
}

# assert_warning REGEX: exit 0 (1 with --strict) and one warning line
# matching REGEX (extended, case-insensitive).
assert_warning() {
	if ! grep -Eiq "^warning: .*($1)" <<<"$output"; then
		batslib_print_kv_single_or_multi 8 expected "$1" output "$output" |
			batslib_decorate 'warning missing' | fail
	fi
}

refute_warning() {
	if grep -Eiq "^warning: .*($1)" <<<"$output"; then
		batslib_print_kv_single_or_multi 8 unexpected "$1" output "$output" |
			batslib_decorate 'unexpected warning' | fail
	fi
}

# --------------------------------------------------------------- check-config

@test "check-config: a careful configuration has no warning" {
	conf
	check
	assert_clean
	check --strict
	assert_clean
}

@test "check-config warns about insecure = true" {
	conf '[http]' 'insecure = true'
	check
	assert_success
	assert_warning 'insecure'
	check --strict
	assert_failure
}

@test "check-config warns about an htpasswd file readable by group or others" {
	local m
	for m in 0640 0604 0644; do
		chmod "$m" "$D/htpasswd"
		conf
		check
		assert_success
		assert_warning "htpasswd.*$D/htpasswd.*(group|others)"
	done
	chmod 0600 "$D/htpasswd"
	check
	assert_clean
}

@test "check-config warns about an [issuer] key readable by group or others" {
	cp "$K/EdDSA/key.pem" "$D/key.pem"
	chmod 0644 "$D/key.pem"
	conf '[issuer]' "key = $D/key.pem" "certificate = $K/EdDSA/cert.pem"
	check
	assert_success
	assert_warning "key.*$D/key.pem.*(group|others)"
	chmod 0600 "$D/key.pem"
	check
	assert_clean
}

@test "check-config warns about an access rules file readable by group or others" {
	chmod 0644 "$D/access.rules"
	conf
	check
	assert_success
	assert_warning "rules.*$D/access.rules.*(group|others)"
}

@test "check-config warns about HS256 secret files readable by others" {
	head -c 48 /dev/urandom | base64 -w0 >"$D/secret"
	chmod 0644 "$D/secret"
	conf '[issuer]' 'algorithm = HS256' "hmac_secret_file = $D/secret"
	check
	assert_warning "$D/secret.*(group|others)"
}

@test "check-config names each user with a weak hash scheme (\$apr1\$, {SHA}, plain), and no bcrypt user" {
	htpasswd -bm "$D/htpasswd" apruser pw1 2>/dev/null
	htpasswd -bs "$D/htpasswd" shauser pw2 2>/dev/null
	htpasswd -bp "$D/htpasswd" plainuser pw3 2>/dev/null
	grep -q '^apruser:\$apr1\$' "$D/htpasswd" && grep -q '^shauser:{SHA}' "$D/htpasswd" &&
		grep -q '^plainuser:pw3$' "$D/htpasswd" || fail "htpasswd did not write the schemes"
	conf
	check
	assert_success
	assert_warning '"apruser".*(weak|scheme)'
	assert_warning '"shauser".*(weak|scheme)'
	assert_warning '"plainuser".*(weak|scheme)'
	refute_warning '"alice"'
	# Never the hashes or passwords.
	refute_output --partial 'pw1'
	refute_output --partial "$(grep '^apruser:' "$D/htpasswd" | cut -d: -f2)"
}

@test "check-config warns about an HS256 secret under 32 bytes, [token] and [issuer] alike" {
	printf '%s' 0123456789abcdef0123456789abcde >"$D/short"	# 31 bytes
	printf '%s' 0123456789abcdef0123456789abcdef >"$D/ok"	# 32 bytes
	chmod 0600 "$D/short" "$D/ok"
	conf '[issuer]' 'algorithm = HS256' "hmac_secret_file = $D/short" 'issuer = i' 'service = s'
	check
	assert_success
	assert_warning "$D/short.*(32|short|longer)"
	conf '[auth]' '[token]' 'realm = https://r.test/auth/token' 'service = s' 'issuer = i' \
		"hmac_secret_file = $D/short" 'algorithms = HS256'
	sed -i 's/^method = htpasswd$/method = token/' "$CFG"
	check
	assert_warning "$D/short.*(32|short|longer)"
	conf '[issuer]' 'algorithm = HS256' "hmac_secret_file = $D/ok" 'issuer = i' 'service = s'
	check
	assert_clean
}

@test "check-config warns about a token lifetime over one hour, and not at one hour" {
	conf '[issuer]' 'expiration = 3601'
	check
	assert_success
	assert_warning 'expiration.*3601'
	conf '[issuer]' 'expiration = 3600'
	check
	assert_clean
}

@test "check-config warns about a storage root writable by others" {
	chmod 0777 "$BERTH_STORE"
	conf
	check
	assert_success
	assert_warning "storage.*$BERTH_STORE.*writable"
	chmod 0750 "$BERTH_STORE"
	check
	assert_clean
}

@test "check-config warns when the rules grant push or delete to anonymous" {
	local a
	for a in push delete pull,push '*'; do
		printf 'anonymous  public/**  %s\n' "$a" >"$D/access.rules"
		conf
		check
		assert_success
		assert_warning 'anonymous'
	done
	printf 'anonymous  public/**  pull\n' >"$D/access.rules"
	check
	refute_warning 'anonymous'
}

@test "check-config warns about an allow list that admits every address" {
	local l
	for l in 0.0.0.0/0 '10.0.0.0/8, 0.0.0.0/0' '0.0.0.0/0, ::/0'; do
		conf '[access]' "allow = $l"
		check
		assert_success
		assert_warning 'allow.*every'
	done
	conf '[access]' 'allow = 10.0.0.0/8, 2001:db8::/32'
	check
	assert_clean
}

@test "check-config warns about delete without any rule limiting it (no rules file)" {
	conf '[registry]' 'delete = true'
	sed -i '/^\[access\]$/,/^rules/d' "$CFG"
	check
	assert_success
	assert_warning 'delete'
	# Rules that keep delete for admin: no warning.
	conf '[registry]' 'delete = true'
	check
	assert_clean
}

@test "check-config warns about delete when a rule lets every user delete everything" {
	printf '*  **  *\n' >"$D/access.rules"
	conf '[registry]' 'delete = true'
	check
	assert_success
	assert_warning 'delete'
}

@test "check-config warns that an open registry lets anyone push" {
	printf '[storage]\npath = %s\n' "$BERTH_STORE" >"$CFG"
	check
	assert_success
	assert_warning 'anyone.*push'
}

@test "check-config: a config error exits 1 and names file:line" {
	conf '[registry]' 'delete = maybe'
	local line
	line=$(grep -n '^delete = maybe' "$CFG" | cut -d: -f1)
	check
	assert_failure 1
	assert_output --regexp "^error: .*$CFG:$line"
	refute_output --partial 'ok ('
	conf '[token]' 'no_such_key = 1'
	line=$(grep -n '^no_such_key' "$CFG" | cut -d: -f1)
	check
	assert_failure 1
	assert_output --regexp "error: .*$CFG:$line.*no_such_key"
}

@test "check-config: token auth without keys, or with keys it cannot read, is an error" {
	conf '[token]' 'realm = https://r.test/auth/token' 'service = s' 'issuer = i'
	sed -i 's/^method = htpasswd$/method = token/' "$CFG"
	check
	assert_failure 1
	assert_output --regexp 'error: .*keys'
	printf 'not a key\n' >"$D/bad.pem"
	conf '[token]' 'realm = https://r.test/auth/token' 'service = s' 'issuer = i' "keys = $D/bad.pem"
	sed -i 's/^method = htpasswd$/method = token/' "$CFG"
	check
	assert_failure 1
	assert_output --regexp "error: .*$D/bad.pem"
}

@test "check-config --json parses with jq and lists errors and warnings" {
	chmod 0644 "$D/htpasswd"
	conf '[http]' 'insecure = true'
	check --json
	assert_success
	jq -e --arg c "$CFG" '.config == $c and .errors == [] and (.warnings | length == 2)
		and (.warnings | all(type == "string"))
		and any(.warnings[]; test("insecure")) and any(.warnings[]; test("htpasswd"))' \
		<<<"$output" >/dev/null || fail "unexpected JSON: $output"
	# Errors, with quotes and the path in them, still make valid JSON.
	conf '[registry]' 'delete = "ma\ybe"'
	check --json
	assert_failure 1
	jq -e '(.errors | length == 1) and (.errors[0] | test(":[0-9]+"))' <<<"$output" >/dev/null ||
		fail "unexpected JSON: $output"
	chmod 0600 "$D/htpasswd"
	conf
	check --json
	assert_success
	jq -e '.errors == [] and .warnings == []' <<<"$output" >/dev/null || fail "unexpected JSON: $output"
}

@test "check-config --strict exits non-zero on warnings only" {
	conf
	check --strict
	assert_success
	conf '[http]' 'insecure = true'
	check
	assert_success
	check --strict
	assert_failure
	check --strict --json
	assert_failure
	jq -e '.warnings | length == 1' <<<"$output" >/dev/null || fail "unexpected JSON: $output"
}

# --------------------------------------------------------------------- keygen

@test "keygen writes key.pem (0600) and cert.pem for EdDSA, ES256 and RS256, the certificate holding the key" {
	local a want
	for a in EdDSA ES256 RS256; do
		mkdir -p "$D/$a"
		run "$BERTHCTL" keygen --alg "$a" --out "$D/$a"
		assert_success
		assert_equal "$(stat -c %a "$D/$a/key.pem")" 600
		[ -s "$D/$a/cert.pem" ] || fail "no cert.pem for $a"
		case $a in
		EdDSA) want='ED25519' ;;
		ES256) want='prime256v1|P-256' ;;
		RS256) want='(3072|2048|4096) bit' ;;
		esac
		run openssl pkey -in "$D/$a/key.pem" -noout -text
		assert_success
		assert_output --regexp "$want"
		assert_equal "$(tok_thumbprint "$D/$a/key.pem")" "$(tok_thumbprint "$D/$a/cert.pem")"
		openssl x509 -in "$D/$a/cert.pem" -noout -checkend 86400 >/dev/null ||
			fail "$a certificate is not valid for another day"
	done
}

@test "keygen refuses to overwrite existing files" {
	run "$BERTHCTL" keygen --alg ES256 --out "$D"
	assert_success
	local k c
	k=$(sha256sum "$D/key.pem")
	c=$(sha256sum "$D/cert.pem")
	run "$BERTHCTL" keygen --alg ES256 --out "$D"
	assert_failure
	assert_equal "$(sha256sum "$D/key.pem")" "$k"
	assert_equal "$(sha256sum "$D/cert.pem")" "$c"
	# Nor only one of the two.
	mkdir -p "$D/half"
	printf 'keep me\n' >"$D/half/cert.pem"
	run "$BERTHCTL" keygen --alg EdDSA --out "$D/half"
	assert_failure
	assert_equal "$(cat "$D/half/cert.pem")" 'keep me'
	[ ! -e "$D/half/key.pem" ] || fail "key.pem was left behind"
}

@test "keygen refuses HS256, none and unknown algorithms" {
	local a
	for a in HS256 none es256 RS512; do
		run "$BERTHCTL" keygen --alg "$a" --out "$D"
		assert_failure
		[ ! -e "$D/key.pem" ] || fail "key written for $a"
	done
}

@test "keygen prints config lines that work when pasted (berth-token issues, the registry verifies)" {
	local a
	for a in EdDSA ES256 RS256; do
		mkdir -p "$D/$a"
		run "$BERTHCTL" keygen --alg "$a" --out "$D/$a"
		assert_success
		printf '%s\n' "$output" >"$D/pasted-$a.ini"
		# Paste the lines into a config that has what else token auth needs.
		conf '[auth]' '[issuer]' 'issuer = paste-test' 'service = paste.test' \
			'[token]' 'realm = https://paste.test/auth/token' 'issuer = paste-test' \
			'service = paste.test'
		sed -i 's/^method = htpasswd$/method = token/' "$CFG"
		cat "$D/pasted-$a.ini" >>"$CFG"
		check
		assert_success
		refute_output --partial 'error:'
		export BERTH_CONFIG=$CFG
		reg_cgi GET '/auth/token?service=paste.test&scope=repository:alice/app:pull,push' \
			-H "$(basic_auth alice "$AUTH_PW_ALICE")"
		assert_status 200
		local t
		t=$(jq -r .token "$REG_BODY_FILE")
		assert_equal "$(tok_part "$t" 0 | jq -r .alg)" "$a"
		reg_cgi GET /v2/alice/app/tags/list -H "$(bearer "$t")"
		assert_status 404	# authorized; the repository does not exist
		assert_json '.errors[0].code == "NAME_UNKNOWN"'
	done
}

@test "keygen --out with a relative directory prints absolute paths (the config wants them)" {
	mkdir -p "$D/rel/keys"
	cd "$D/rel"
	run "$BERTHCTL" keygen --alg ES256 --out keys
	assert_success
	assert_output --regexp "key = $D/rel/keys/key\.pem"
	assert_output --regexp "keys = $D/rel/keys/cert\.pem"
	printf '%s\n' "$output" >"$D/pasted.ini"
	conf '[auth]' '[issuer]' 'issuer = i' 'service = s' \
		'[token]' 'realm = https://r.test/auth/token' 'issuer = i' 'service = s'
	sed -i 's/^method = htpasswd$/method = token/' "$CFG"
	cat "$D/pasted.ini" >>"$CFG"
	cd /
	check
	assert_success
	refute_output --partial 'error:'
}

# --------------------------------------------------------------- token-doctor

# doctor_conf: $CFG for token auth trusting $K/EdDSA, leeway 30.
doctor_conf() {
	conf '[auth]' '[token]' 'realm = https://doctor.test/auth/token' \
		"issuer = $TOK_ISS" "service = $TOK_SERVICE" "keys = $K/EdDSA/cert.pem" \
		'algorithms = EdDSA' 'leeway = 30'
	sed -i 's/^method = htpasswd$/method = token/' "$CFG"
}

# doctor TOKEN: run token-doctor on it.
doctor() {
	run "$BERTHCTL" token-doctor --config "$CFG" "$1"
}

@test "token-doctor explains an accepted token and lists its grants" {
	doctor_conf
	doctor "$(tok_make EdDSA "$K/EdDSA/key.pem" -g repository:alice/app:pull,push -g 'registry:catalog:*')"
	assert_success
	assert_output --partial 'ACCEPTED for "alice"'
	assert_output --partial 'grants repository:alice/app:pull,push'
	assert_output --partial 'grants registry:catalog:*'
	assert_output --partial "$(tok_thumbprint "$K/EdDSA/cert.pem")"
	refute_output --partial REJECTED
}

@test "token-doctor says an expired token expired, and how long ago" {
	doctor_conf
	doctor "$(tok_make EdDSA "$K/EdDSA/key.pem" -e -500 -n -900 -t -900)"
	assert_failure
	assert_output --regexp 'REJECTED: .*expired (49[0-9]|50[0-9]) s ago'
	assert_output --regexp 'exp: +[0-9]+ \((49[0-9]|50[0-9]) s before now'
	refute_output --partial ACCEPTED
}

@test "token-doctor names a wrong audience" {
	doctor_conf
	doctor "$(tok_make EdDSA "$K/EdDSA/key.pem" -a wrong.test)"
	assert_failure
	assert_output --regexp 'REJECTED: .*aud.*wrong\.test'
	assert_output --partial "aud \"$TOK_SERVICE\""
}

@test "token-doctor names a wrong issuer" {
	doctor_conf
	doctor "$(tok_make EdDSA "$K/EdDSA/key.pem" -i someone-else)"
	assert_failure
	assert_output --regexp 'REJECTED: .*iss.*someone-else'
	assert_output --partial "iss \"$TOK_ISS\""
}

@test "token-doctor says when the token's alg is not allowed" {
	doctor_conf
	sed -i 's/^algorithms = EdDSA$/algorithms = ES256, RS256/' "$CFG"
	doctor "$(tok_make EdDSA "$K/EdDSA/key.pem")"
	assert_failure
	assert_output --regexp 'REJECTED: .*alg.*EdDSA.*not allowed'
}

@test "token-doctor says when the kid is unknown" {
	doctor_conf
	local kid
	kid=$(tok_thumbprint "$K/evil/ed.pem")
	doctor "$(tok_make EdDSA "$K/evil/ed.pem")"
	assert_failure
	assert_output --regexp "REJECTED: .*unknown key.*$kid"
	assert_output --regexp "key: +kid \"$kid\""
}

@test "token-doctor reports a malformed token" {
	doctor_conf
	doctor 'not.a-token'
	assert_failure
	assert_output --partial 'malformed'
	refute_output --partial ACCEPTED
}

@test "token-doctor never prints control characters from a token (kid, sub, claims)" {
	doctor_conf
	local t
	t=$(tok_sign EdDSA "$K/evil/ed.pem" '{"alg":"EdDSA","kid":"\u001b]0;owned\u0007\u001b[2J"}' \
		"$(tok_claims -s "$(printf 'a\033[31mb')")")
	doctor "$t"
	assert_failure
	if printf '%s' "$output" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
		fail "control characters in the output: $(printf '%s' "$output" | od -c | head -20)"
	fi
	# A raw ESC inside the (signed, but not JSON-escaped) claims as well.
	t=$(tok_sign EdDSA "$K/EdDSA/key.pem" "$(tok_header EdDSA "$K/EdDSA/key.pem")" \
		"$(printf '{"iss":"%s","aud":"%s","sub":"x\033[2Jy","exp":%d}' "$TOK_ISS" "$TOK_SERVICE" $(($(date +%s) + 300)))")
	doctor "$t"
	if printf '%s' "$output" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
		fail "control characters in the output: $(printf '%s' "$output" | od -c | head -20)"
	fi
}

@test "token-doctor --challenge parses a Bearer challenge and flags a service mismatch" {
	doctor_conf
	run "$BERTHCTL" token-doctor --config "$CFG" --challenge \
		"Bearer realm=\"https://doctor.test/auth/token\",service=\"$TOK_SERVICE\",scope=\"repository:alice/app:pull,push\""
	assert_success
	assert_output --regexp 'realm: +https://doctor\.test/auth/token'
	assert_output --regexp "service: +$TOK_SERVICE"
	assert_output --regexp 'scope: +repository:alice/app:pull,push'
	refute_output --partial differs
	run "$BERTHCTL" token-doctor --config "$CFG" --challenge \
		'Bearer realm="https://doctor.test/auth/token",service="other.test",scope="repository:alice/app:pull",error="insufficient_scope"'
	assert_failure
	assert_output --regexp 'service: +other\.test'
	assert_output --partial "differs from [token] service \"$TOK_SERVICE\""
	assert_output --partial insufficient_scope
	# Basic is not a token challenge; a challenge without realm is flagged.
	run "$BERTHCTL" token-doctor --config "$CFG" --challenge 'Basic realm="berth"'
	assert_failure
	assert_output --partial 'not a Bearer challenge'
	run "$BERTHCTL" token-doctor --config "$CFG" --challenge "Bearer service=\"$TOK_SERVICE\""
	assert_failure
	assert_output --regexp 'realm: +missing'
}

@test "token-doctor checks the challenge berth itself sends" {
	doctor_conf
	export BERTH_CONFIG=$CFG
	reg_cgi GET /v2/alice/app/manifests/v1
	assert_status 401
	run "$BERTHCTL" token-doctor --config "$CFG" --challenge "$(header WWW-Authenticate)"
	assert_success
	assert_output --regexp 'scope: +repository:alice/app:pull'
	assert_output --partial 'challenge looks right'
}

# ------------------------------------------------------------- S3 storage

# s3conf LINE...: conf with the S3 driver (nothing is contacted by
# check-config), then the LINEs.
s3conf() {
	conf '[storage]' 'driver = s3' '[s3]' 'bucket = registry' \
		'access_key = AKIDEXAMPLE' "$@"
	sed -i "s|^path = $BERTH_STORE\$||" "$CFG"
}

@test "check-config: S3 over https with a private secret file has no warning" {
	printf 'secret\n' >"$D/s3-secret"
	chmod 0600 "$D/s3-secret"
	s3conf 'endpoint = https://s3.example.com' "secret_key_file = $D/s3-secret"
	check --strict
	assert_clean
	# Plain HTTP to loopback (a local radosgw) is fine too.
	s3conf 'endpoint = http://127.0.0.1:7480' "secret_key_file = $D/s3-secret"
	check --strict
	assert_clean
}

@test "check-config warns about plain HTTP to a remote S3 endpoint" {
	printf 'secret\n' >"$D/s3-secret"
	chmod 0600 "$D/s3-secret"
	s3conf 'endpoint = http://rgw.example.com:7480' "secret_key_file = $D/s3-secret"
	check
	assert_success
	assert_warning 'endpoint "http://rgw.example.com:7480" is plain HTTP'
	check --strict
	assert_failure
}

@test "check-config warns about tls_verify = false and a readable S3 secret" {
	printf 'secret\n' >"$D/s3-secret"
	chmod 0644 "$D/s3-secret"
	s3conf 'endpoint = https://s3.example.com' 'tls_verify = false' \
		"secret_key_file = $D/s3-secret"
	check
	assert_success
	assert_warning 'tls_verify = false'
	assert_warning "secret_key_file.*$D/s3-secret.*(group|others)"
	s3conf 'endpoint = https://s3.example.com' 'secret_key = inline'
	chmod 0644 "$CFG"
	check
	assert_warning "secret_key is in \"$CFG\".*secret_key_file"
	chmod 0600 "$CFG"
	check
	assert_clean
}

@test "check-config: S3 settings that cannot work are errors" {
	s3conf 'endpoint = https://s3.example.com' 'secret_key = x' 'kms_key_id = k'
	check
	assert_failure
	assert_output --partial 'kms_key_id needs encrypt = true'
	conf '[storage]' 'driver = s3'
	sed -i "s|^path = $BERTH_STORE\$||" "$CFG"
	check
	assert_failure
	assert_output --partial '[s3] bucket is required'
	s3conf 'endpoint = ftp://x' 'secret_key = x'
	check
	assert_failure
	assert_output --partial 'is not http(s)://host[:port]'
}
