#!/usr/bin/env bats
# 60-auth-cgi.bats: authentication (htpasswd, webserver, clientcert), the
# plain-HTTP credentials policy, access rules, network lists and what the
# log says about callers, with the programs run as plain CGI (and a few
# requests to one long-lived FastCGI process, for files changed while it
# runs)
#
# The programs run as CGI in every mode of the runner: each test has its
# own config, htpasswd file and storage under $BATS_TEST_TMPDIR.
# modes: cgi

# Rules ("${user}") and password hashes ("$2y$") hold literal dollars.
# shellcheck disable=SC2016

load helpers
load lib_auth

setup_file() {
	auth_users "$BATS_FILE_TMPDIR/htpasswd"
}

setup() {
	export BERTH_MODE=cgi
	BERTH_STORE=$BATS_TEST_TMPDIR/store
	HT=$BATS_TEST_TMPDIR/htpasswd
	RULES=$BATS_TEST_TMPDIR/access.rules
	GROUPS_FILE=$BATS_TEST_TMPDIR/groups
	cp "$BATS_FILE_TMPDIR/htpasswd" "$HT"
}

teardown() {
	fcgi_stop
}

# htpasswd_config [LINE...]: method htpasswd with $HT; more lines appended.
htpasswd_config() {
	auth_config '[auth]' 'method = htpasswd' '[htpasswd]' "path = $HT" "$@"
}

# rules LINE...: the access rules file $RULES.
rules() {
	printf '%s\n' "$@" >"$RULES"
}

# as USER: the Authorization header of a user made by auth_users.
as() {
	local pw
	case "$1" in
	alice) pw=$AUTH_PW_ALICE ;;
	bob) pw=$AUTH_PW_BOB ;;
	carol) pw=$AUTH_PW_CAROL ;;
	dave) pw=$AUTH_PW_DAVE ;;
	admin) pw=$AUTH_PW_ADMIN ;;
	*) pw=unknown ;;
	esac
	basic_auth "$1" "$pw"
}

# seed_image REPO [TAG]: make_image through an open config on the same
# storage (sets IMG_*); the test's own config stays in force afterwards.
seed_image() {
	local keep=$BERTH_CONFIG
	BERTH_CONFIG=$BATS_TEST_TMPDIR/open.ini
	printf '[storage]\npath = %s\n[log]\nlevel = warn\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	make_image "$@"
	local rc=$?
	BERTH_CONFIG=$keep
	return $rc
}

# seed_blob REPO FILE: push_blob through the open config.
seed_blob() {
	local keep=$BERTH_CONFIG
	BERTH_CONFIG=$BATS_TEST_TMPDIR/open.ini
	printf '[storage]\npath = %s\n[log]\nlevel = warn\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	push_blob "$@" >/dev/null
	local rc=$?
	BERTH_CONFIG=$keep
	return $rc
}

# try_push [auth_cgi options] -- REPO [reg_cgi options]: a monolithic blob
# upload of a fresh random blob; sets PUSH_DIGEST.
try_push() {
	local -a pre=()
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	local repo=$1 f=$BATS_TEST_TMPDIR/blob.$RANDOM
	shift
	random_file "$f" 300
	PUSH_DIGEST=$(digest_of "$f")
	auth_cgi "${pre[@]}" POST "/v2/$repo/blobs/uploads/?digest=$PUSH_DIGEST" -f "$f" \
		-H 'Content-Type: application/octet-stream' "$@"
}

# link_of REPO DIGEST: the store's link file for a blob in a repository.
link_of() {
	printf '%s/repositories/%s/_layers/sha256/%s' "$BERTH_STORE" "$1" "${2#sha256:}"
}

# assert_challenge: a 401 UNAUTHORIZED with the Basic challenge.
assert_challenge() {
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="[^"]+"$'
}

# ------------------------------------------------------------------ htpasswd

@test "GET /v2/ without credentials is 401 with a Basic challenge and the realm (docker login needs it)" {
	htpasswd_config 'realm = Berth Test Realm'
	reg_cgi GET /v2/
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="Berth Test Realm"$'
	assert_header Docker-Distribution-API-Version '^registry/2\.0$'
	reg_cgi HEAD /v2/
	assert_status 401
	assert_header WWW-Authenticate '^Basic realm="Berth Test Realm"$'
	assert_equal "$REG_BODY" ""
}

@test "the default realm is berth" {
	htpasswd_config
	reg_cgi GET /v2/
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="berth"$'
}

@test "a bcrypt entry (htpasswd -B) authenticates with its password" {
	grep -q '^alice:\$2y\$' "$HT"
	htpasswd_config
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_status 200
	assert_json '. == {}'
	refute_header WWW-Authenticate
	assert_log_has 'status=200'
	assert_log_has 'user=alice'
}

@test "SHA-256-crypt (htpasswd -2) and SHA-512-crypt (htpasswd -5) entries authenticate" {
	grep -q '^carol:\$5\$' "$HT"
	grep -q '^dave:\$6\$' "$HT"
	htpasswd_config
	reg_cgi GET /v2/ -H "$(as carol)"
	assert_status 200
	reg_cgi GET /v2/ -H "$(as dave)"
	assert_status 200
	reg_cgi GET /v2/ -H "$(basic_auth dave "$AUTH_PW_CAROL")"
	assert_challenge
	assert_log_has 'user=carol'
	assert_log_has 'user=dave'
}

@test "a wrong password and an unknown user get the same 401 answer" {
	htpasswd_config
	reg_cgi GET /v2/ -H "$(basic_auth alice wrong-password)"
	assert_challenge
	local wrong_body=$REG_BODY wrong_chal
	wrong_chal=$(header WWW-Authenticate)
	reg_cgi GET /v2/ -H "$(basic_auth mallory wrong-password)"
	assert_challenge
	assert_equal "$REG_BODY" "$wrong_body"
	assert_equal "$(header WWW-Authenticate)" "$wrong_chal"
	# Right password, wrong user; and another user's password.
	reg_cgi GET /v2/ -H "$(basic_auth mallory "$AUTH_PW_ALICE")"
	assert_equal "$REG_BODY" "$wrong_body"
	reg_cgi GET /v2/ -H "$(basic_auth alice "$AUTH_PW_BOB")"
	assert_equal "$REG_BODY" "$wrong_body"
	# An empty password is just a wrong one.
	reg_cgi GET /v2/ -H "$(basic_auth alice '')"
	assert_equal "$REG_BODY" "$wrong_body"
	refute_log_has 'user=alice'
	refute_log_has 'user=mallory'
}

@test "malformed Basic credentials are 401 with the challenge, other schemes are anonymous" {
	htpasswd_config
	reg_cgi GET /v2/ -H 'Authorization: Basic !!not-base64!!'
	assert_challenge
	reg_cgi GET /v2/ -H "Authorization: Basic $(printf 'no-colon' | base64)"
	assert_challenge
	reg_cgi GET /v2/ -H "Authorization: Digest username=\"alice\""
	assert_challenge
	refute_log_has 'user='
}

@test "weak schemes (apr1, SHA1, plain, crypt) never authenticate; the warning names the user but not the password" {
	local pw=Wk8chars	# 8 characters: DES crypt uses no more
	htpasswd -bm "$HT" weakmd5 "$pw"
	htpasswd -bs "$HT" weaksha "$pw"
	htpasswd -bp "$HT" weakplain "$pw" 2>/dev/null
	htpasswd -bd "$HT" weakcrypt "$pw"
	grep -q '^weakmd5:\$apr1\$' "$HT"
	grep -q '^weaksha:{SHA}' "$HT"
	grep -q "^weakplain:$pw\$" "$HT"
	grep -Eq '^weakcrypt:[./0-9A-Za-z]{13}$' "$HT"
	htpasswd_config
	local u
	for u in weakmd5 weaksha weakplain weakcrypt; do
		reg_cgi GET /v2/ -H "$(basic_auth "$u" "$pw")"
		assert_challenge
		assert_json '.errors[0].detail == "invalid username or password"'
		# (the text log escapes the quotes)
		assert_log_has "user \\\"$u\\\""
	done
	assert_log_has 'apr1-md5 password refused'
	assert_log_has 'sha1 password refused'
	assert_log_has 'des-crypt password refused'
	refute_log_has "$pw"
	refute_log_has '$apr1$'
	refute_log_has '{SHA}'
	refute_log_has 'user=weak'
	# The strong users in the same file still log in.
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_status 200
}

@test "a long-lived FastCGI process picks up htpasswd changes without a restart" {
	htpasswd_config
	fcgi_start berth-catalog
	fcgi_cgi GET /v2/ -H "$(basic_auth erin Erin-pw-1)"
	assert_challenge
	fcgi_cgi GET /v2/ -H "$(as alice)"
	assert_status 200
	# Add erin, change alice's password: both count at the next request.
	htpasswd -bB "$HT" erin Erin-pw-1 2>/dev/null
	htpasswd -bB "$HT" alice Alice-new-pw 2>/dev/null
	fcgi_cgi GET /v2/ -H "$(basic_auth erin Erin-pw-1)"
	assert_status 200
	fcgi_cgi GET /v2/ -H "$(as alice)"
	assert_challenge
	fcgi_cgi GET /v2/ -H "$(basic_auth alice Alice-new-pw)"
	assert_status 200
	# A user removed from the file is gone at once.
	htpasswd -D "$HT" erin 2>/dev/null
	fcgi_cgi GET /v2/ -H "$(basic_auth erin Erin-pw-1)"
	assert_challenge
}

@test "a long-lived FastCGI process picks up access rule changes without a restart" {
	seed_image alice/app v1
	seed_image bob/app v1
	rules '*  alice/**  pull'
	htpasswd_config '[access]' "rules = $RULES"
	fcgi_start berth-catalog
	fcgi_cgi GET /v2/_catalog -H "$(as alice)"
	assert_status 200
	assert_json '.repositories == ["alice/app"]'
	rules '*  **  pull'
	touch -d '+2 seconds' "$RULES"
	fcgi_cgi GET /v2/_catalog -H "$(as alice)"
	assert_status 200
	assert_json '.repositories == ["alice/app", "bob/app"]'
	# A broken rules file denies everything until it is fixed.
	rules '*  **  fly'
	touch -d '+4 seconds' "$RULES"
	fcgi_cgi GET /v2/_catalog -H "$(as alice)"
	assert_status 200
	assert_json '.repositories == []'
}

@test "a missing htpasswd file lets nobody in and logs why" {
	htpasswd_config
	rm "$HT"
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_challenge
	assert_log_has 'nobody can log in'
	refute_log_has "$AUTH_PW_ALICE"
}

@test "an htpasswd file readable by others is logged as a warning" {
	htpasswd_config
	chmod 0644 "$HT"
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_status 200
	assert_log_has 'readable by others'
}

# ------------------------------------------------------- transport policy

@test "credentials over plain HTTP from a non-loopback peer are refused with 401 saying to use TLS" {
	htpasswd_config
	local peer
	for peer in 192.0.2.7 2001:db8::7 ::ffff:192.0.2.7; do
		auth_cgi -e REMOTE_ADDR="$peer" GET /v2/ -H "$(as alice)"
		assert_challenge
		assert_json '.errors[0].detail | test("TLS")'
	done
	refute_log_has 'user=alice'
	# Without credentials it is the ordinary challenge.
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/
	assert_challenge
	assert_json '.errors[0].detail | test("TLS") | not'
}

@test "credentials over plain HTTP from loopback (127.0.0.0/8, ::1) are accepted by default" {
	htpasswd_config
	local peer
	for peer in 127.0.0.1 127.3.4.5 ::1 ::ffff:127.0.0.1; do
		auth_cgi -e REMOTE_ADDR="$peer" GET /v2/ -H "$(as alice)"
		assert_status 200
	done
}

@test "allow_loopback_plaintext = false refuses credentials over plain HTTP even from loopback" {
	htpasswd_config '[http]' 'allow_loopback_plaintext = false'
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_challenge
	assert_json '.errors[0].detail | test("TLS")'
	auth_cgi -e REMOTE_ADDR=::1 GET /v2/ -H "$(as alice)"
	assert_challenge
	auth_cgi -e HTTPS=on GET /v2/ -H "$(as alice)"
	assert_status 200
}

@test "credentials over HTTPS from a non-loopback peer are accepted" {
	htpasswd_config '[http]' 'allow_loopback_plaintext = false'
	auth_cgi -e REMOTE_ADDR=192.0.2.7 -e HTTPS=on GET /v2/ -H "$(as alice)"
	assert_status 200
	assert_log_has 'user=alice remote_addr=192.0.2.7'
	# HTTPS must say on: off (as some servers set it) is plain HTTP.
	auth_cgi -e REMOTE_ADDR=192.0.2.7 -e HTTPS=off GET /v2/ -H "$(as alice)"
	assert_challenge
	assert_json '.errors[0].detail | test("TLS")'
}

@test "insecure = true accepts credentials over plain HTTP from anywhere and warns about it" {
	htpasswd_config '[http]' 'insecure = true'
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H "$(as alice)"
	assert_status 200
	assert_log_has 'insecure = true'
	# Wrong credentials are still wrong.
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H "$(basic_auth alice nope)"
	assert_challenge
}

@test "with method = none the Authorization header is ignored: everyone is anonymous" {
	auth_config
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H "$(basic_auth alice whatever)"
	assert_status 200
	refute_header WWW-Authenticate
	refute_log_has 'user='
}

# ------------------------------------------------------ webserver, clientcert

@test "method webserver: REMOTE_USER set by the web server is the user" {
	rules '*  ${user}/**  *'
	auth_config '[auth]' 'method = webserver' '[access]' "rules = $RULES"
	auth_cgi -e REMOTE_USER=alice GET /v2/
	assert_status 200
	try_push -e REMOTE_USER=alice -- alice/app
	assert_status 201
	try_push -e REMOTE_USER=alice -- bob/app
	assert_error 403 DENIED
	assert_log_has 'user=alice'
	# No REMOTE_USER: anonymous, who may not even ping.  There is no
	# challenge to offer (the web server does the login), so 403.
	reg_cgi GET /v2/
	assert_error 403 DENIED
}

@test "REMOTE_USER does not count unless method includes webserver" {
	htpasswd_config
	auth_cgi -e REMOTE_USER=alice GET /v2/
	assert_challenge
	refute_log_has 'user=alice'
}

@test "a Remote-User request header from the client (HTTP_REMOTE_USER) never authenticates" {
	auth_config '[auth]' 'method = webserver, htpasswd' '[htpasswd]' "path = $HT"
	reg_cgi GET /v2/ -H 'Remote-User: alice'
	assert_error 401 UNAUTHORIZED
	reg_cgi GET /v2/ -H 'X-Remote-User: alice'
	assert_error 401 UNAUTHORIZED
	reg_cgi GET /v2/ -H 'SSL-Client-S-DN-CN: alice' -H 'SSL-Client-Verify: SUCCESS'
	assert_error 401 UNAUTHORIZED
	refute_log_has 'user=alice'
}

@test "method clientcert: a verified certificate's CN is the user" {
	rules '*  ${user}/**  *'
	auth_config '[auth]' 'method = clientcert' '[access]' "rules = $RULES"
	local -a cert=(-e HTTPS=on -e REMOTE_ADDR=192.0.2.7
		-e SSL_CLIENT_VERIFY=SUCCESS -e SSL_CLIENT_S_DN_CN=berth-client
		-e SSL_CLIENT_S_DN_O=ignored)
	auth_cgi "${cert[@]}" GET /v2/
	assert_status 200
	try_push "${cert[@]}" -- berth-client/app
	assert_status 201
	try_push "${cert[@]}" -- alice/app
	assert_error 403 DENIED
	assert_log_has 'user=berth-client'
	refute_log_has 'user=ignored'
}

@test "clientcert_field = O takes the user from SSL_CLIENT_S_DN_O" {
	auth_config '[auth]' 'method = clientcert' 'clientcert_field = O'
	auth_cgi -e HTTPS=on -e SSL_CLIENT_VERIFY=SUCCESS \
		-e SSL_CLIENT_S_DN_CN=berth-client -e SSL_CLIENT_S_DN_O=acme GET /v2/
	assert_status 200
	assert_log_has 'user=acme'
	refute_log_has 'user=berth-client'
	# A verified certificate without that field is anonymous.
	auth_cgi -e HTTPS=on -e SSL_CLIENT_VERIFY=SUCCESS \
		-e SSL_CLIENT_S_DN_CN=berth-client GET /v2/
	assert_error 403 DENIED
}

@test "a client certificate that did not verify (FAILED, NONE, GENEROUS) is anonymous" {
	rules 'anonymous  public/**  pull'
	auth_config '[auth]' 'method = clientcert' '[access]' "rules = $RULES"
	local v
	for v in 'FAILED:unable to get local issuer certificate' FAILED NONE GENEROUS; do
		auth_cgi -e HTTPS=on -e SSL_CLIENT_VERIFY="$v" \
			-e SSL_CLIENT_S_DN_CN=berth-client GET /v2/
		assert_error 403 DENIED
	done
	# Without SSL_CLIENT_VERIFY at all, too.
	auth_cgi -e HTTPS=on -e SSL_CLIENT_S_DN_CN=berth-client GET /v2/
	assert_error 403 DENIED
	refute_log_has 'user=berth-client'
}

# ------------------------------------------------------------ access rules

@test "without a rules file every authenticated user may do everything, anonymous callers nothing" {
	seed_image team/app v1
	htpasswd_config
	try_push -- team/app -H "$(as bob)"
	assert_status 201
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(as alice)"
	assert_status 200
	reg_cgi GET /v2/team/app/manifests/v1
	assert_challenge
	assert_header WWW-Authenticate '^Basic realm="berth"$'
	reg_cgi GET /v2/_catalog
	assert_challenge
	reg_cgi GET /v2/_catalog -H "$(as bob)"
	assert_status 200
	assert_json '.repositories == ["team/app"]'
}

@test "access rules: the first matching rule wins and none denies" {
	seed_image team/secret v1
	seed_image team/app v1
	rules '# a comment, then rules' \
		'alice  team/secret  none' \
		'*      team/**      pull'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi GET /v2/team/secret/manifests/v1 -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(as alice)"
	assert_status 200
	reg_cgi GET /v2/team/secret/manifests/v1 -H "$(as bob)"
	assert_status 200
	# The later, wider rule does not add push for anyone.
	try_push -- team/app -H "$(as bob)"
	assert_error 403 DENIED
}

@test "access rules: deleting needs the delete action, pushing needs pull and push" {
	seed_image team/app v1
	local digest=$IMG_DIGEST layer=$IMG_LAYER
	rules 'alice  team/**  pull,push' \
		'bob    team/**  delete' \
		'carol  team/**  push' \
		'admin  team/**  *'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi DELETE "/v2/team/app/manifests/$digest" -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi DELETE "/v2/team/app/blobs/$layer" -H "$(as alice)"
	assert_error 403 DENIED
	try_push -- team/app -H "$(as bob)"
	assert_error 403 DENIED
	try_push -- team/app -H "$(as carol)"
	assert_error 403 DENIED
	reg_cgi DELETE "/v2/team/app/blobs/$layer" -H "$(as bob)"
	assert_status 202
	reg_cgi DELETE "/v2/team/app/manifests/$digest" -H "$(as admin)"
	assert_status 202
}

@test "access rules deny by default: 403 DENIED for a user, 401 with a challenge for anonymous" {
	seed_image team/app v1
	rules 'alice  team/**  pull'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(as bob)"
	assert_error 403 DENIED
	refute_header WWW-Authenticate
	reg_cgi GET /v2/team/app/manifests/v1
	assert_challenge
	try_push -- team/app -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi GET /v2/other/app/manifests/v1 -H "$(as alice)"
	assert_error 403 DENIED
	# Logging in (GET /v2/) needs no rule.
	reg_cgi GET /v2/ -H "$(as bob)"
	assert_status 200
}

@test "access rules: @group members get the group's rights" {
	seed_image team/app v1
	printf 'devs: alice carol\nops: dave\n' >"$GROUPS_FILE"
	rules '@devs  team/**  pull,push' \
		'*      team/**  pull'
	htpasswd_config '[access]' "rules = $RULES" "groups = $GROUPS_FILE"
	try_push -- team/app -H "$(as alice)"
	assert_status 201
	try_push -- team/app -H "$(as carol)"
	assert_status 201
	try_push -- team/app -H "$(as bob)"
	assert_error 403 DENIED
	try_push -- team/app -H "$(as dave)"
	assert_error 403 DENIED
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(as bob)"
	assert_status 200
}

@test "access rules: anonymous may pull public/** but not push there, nor pull elsewhere" {
	seed_image public/tools v1
	local pub_digest=$IMG_DIGEST pub_layer=$IMG_LAYER
	seed_image private/tools v1
	rules 'anonymous  public/**  pull' \
		'admin      **        *'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi GET /v2/public/tools/manifests/v1
	assert_status 200
	assert_header Docker-Content-Digest "^$pub_digest\$"
	reg_cgi GET "/v2/public/tools/blobs/$pub_layer"
	assert_status 200
	reg_cgi GET /v2/public/tools/tags/list
	assert_status 200
	assert_json '.tags == ["v1"]'
	try_push -- public/tools
	assert_challenge
	reg_cgi GET /v2/private/tools/manifests/v1
	assert_challenge
	# "anonymous" is not a user's name: a user is not anonymous.
	reg_cgi GET /v2/public/tools/manifests/v1 -H "$(as alice)"
	assert_error 403 DENIED
}

@test "access rules: \${user}/** lets alice push alice/x but not bob/x" {
	rules '*  ${user}/**  *'
	htpasswd_config '[access]' "rules = $RULES"
	try_push -- alice/x -H "$(as alice)"
	assert_status 201
	try_push -- alice/deeper/x -H "$(as alice)"
	assert_status 201
	try_push -- bob/x -H "$(as alice)"
	assert_error 403 DENIED
	assert [ ! -e "$BERTH_STORE/repositories/bob" ]
	try_push -- bob/x -H "$(as bob)"
	assert_status 201
	reg_cgi GET "/v2/bob/x/blobs/$PUSH_DIGEST" -H "$(as alice)"
	assert_error 403 DENIED
	# "alice" alone is not under alice/**.
	try_push -- alice -H "$(as alice)"
	assert_error 403 DENIED
}

@test "a user name cannot widen a rule: users called anonymous, ali* and bob/x" {
	htpasswd -bB "$HT" anonymous Anon-pw-1 2>/dev/null
	htpasswd -bB "$HT" 'ali*' Star-pw-1 2>/dev/null
	htpasswd -bB "$HT" 'bob/x' Slash-pw-1 2>/dev/null
	seed_image public/app v1
	rules 'anonymous  public/**    pull' \
		'*          ${user}/**  *'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi GET /v2/public/app/manifests/v1
	assert_status 200
	# Logged in as "anonymous": a user, not the anonymous caller.
	reg_cgi GET /v2/public/app/manifests/v1 -H "$(basic_auth anonymous Anon-pw-1)"
	assert_error 403 DENIED
	try_push -- anonymous/app -H "$(basic_auth anonymous Anon-pw-1)"
	assert_status 201
	try_push -- alice/app -H "$(basic_auth 'ali*' Star-pw-1)"
	assert_error 403 DENIED
	try_push -- bob/x/app -H "$(basic_auth bob/x Slash-pw-1)"
	assert_error 403 DENIED
	assert [ ! -e "$BERTH_STORE/repositories/alice" ]
	assert [ ! -e "$BERTH_STORE/repositories/bob" ]
}

@test "access rules with networks match only callers from those networks" {
	seed_image team/app v1
	rules 'alice  team/**  pull,push  10.0.0.0/8, 2001:db8::/32' \
		'*      team/**  pull'
	htpasswd_config '[access]' "rules = $RULES"
	try_push -e HTTPS=on -e REMOTE_ADDR=10.1.2.3 -- team/app -H "$(as alice)"
	assert_status 201
	try_push -e HTTPS=on -e REMOTE_ADDR=2001:db8::5 -- team/app -H "$(as alice)"
	assert_status 201
	try_push -e HTTPS=on -e REMOTE_ADDR=192.0.2.9 -- team/app -H "$(as alice)"
	assert_error 403 DENIED
	try_push -- team/app -H "$(as alice)"
	assert_error 403 DENIED
	# Outside the networks the next rule decides: pull only.
	auth_cgi -e HTTPS=on -e REMOTE_ADDR=192.0.2.9 GET /v2/team/app/manifests/v1 -H "$(as alice)"
	assert_status 200
}

@test "[access] allow refuses everyone else with 403 DENIED before anything, and nothing is written" {
	seed_image team/app v1
	htpasswd_config '[access]' 'allow = 10.0.0.0/8, 2001:db8::/32'
	local before
	before=$(store_snapshot)
	reg_cgi GET /v2/
	assert_error 403 DENIED
	refute_header WWW-Authenticate
	# Before authentication: right and wrong passwords alike.
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi GET /v2/ -H "$(basic_auth alice wrong)"
	assert_error 403 DENIED
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/team/app/manifests/v1 -H "$(as alice)"
	assert_error 403 DENIED
	try_push -- team/app -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi POST /v2/team/app/blobs/uploads/ -H "$(as alice)"
	assert_error 403 DENIED
	reg_cgi DELETE "/v2/team/app/manifests/$IMG_DIGEST" -H "$(as alice)"
	assert_error 403 DENIED
	assert_equal "$(store_snapshot)" "$before"
	refute_log_has 'user=alice'
	# From an allowed network it works as usual.
	auth_cgi -e REMOTE_ADDR=10.4.5.6 GET /v2/
	assert_challenge
	try_push -e REMOTE_ADDR=10.4.5.6 -e HTTPS=on -- team/app -H "$(as alice)"
	assert_status 201
}

@test "X-Forwarded-For counts only from trusted_proxies; a spoofed one is ignored" {
	seed_image public/app v1
	rules 'anonymous  public/**  pull  10.0.0.0/8'
	htpasswd_config '[access]' "rules = $RULES" 'trusted_proxies = 127.0.0.1'
	# Through the trusted proxy, the forwarded client counts.
	reg_cgi GET /v2/public/app/manifests/v1 -H 'X-Forwarded-For: 10.1.1.1'
	assert_status 200
	# The proxy itself is not in 10.0.0.0/8.
	reg_cgi GET /v2/public/app/manifests/v1
	assert_challenge
	# A client that is not a trusted proxy cannot claim another address.
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/public/app/manifests/v1 \
		-H 'X-Forwarded-For: 10.1.1.1'
	assert_challenge
	# Entries a client planted left of the proxy's own are not believed.
	reg_cgi GET /v2/public/app/manifests/v1 -H 'X-Forwarded-For: 10.1.1.1, 192.0.2.9'
	assert_challenge
}

@test "credentials relayed by a trusted proxy get no loopback exemption" {
	htpasswd_config '[access]' 'trusted_proxies = 127.0.0.1'
	reg_cgi GET /v2/ -H "$(as alice)" -H 'X-Forwarded-For: 192.0.2.7'
	assert_challenge
	assert_json '.errors[0].detail | test("TLS")'
	reg_cgi GET /v2/ -H "$(as alice)" -H 'X-Forwarded-For: 127.0.0.1, 192.0.2.7'
	assert_challenge
	# The proxy may relay anyone's credentials: even a forwarded loopback
	# address, or none, is not a client on this machine.
	reg_cgi GET /v2/ -H "$(as alice)" -H 'X-Forwarded-For: 127.0.0.2'
	assert_challenge
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_challenge
	# Over TLS it is fine.
	auth_cgi -e HTTPS=on GET /v2/ -H "$(as alice)" -H 'X-Forwarded-For: 192.0.2.7'
	assert_status 200
	# Without trusted proxies, a claimed loopback address changes nothing.
	htpasswd_config
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H "$(as alice)" -H 'X-Forwarded-For: 127.0.0.1'
	assert_challenge
	assert_json '.errors[0].detail | test("TLS")'
}

@test "X-Forwarded-For from a trusted proxy decides the [access] allow list too" {
	auth_config '[access]' 'allow = 10.0.0.0/8' 'trusted_proxies = 127.0.0.1'
	reg_cgi GET /v2/ -H 'X-Forwarded-For: 10.1.1.1'
	assert_status 200
	reg_cgi GET /v2/ -H 'X-Forwarded-For: 192.0.2.9'
	assert_error 403 DENIED
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H 'X-Forwarded-For: 10.1.1.1'
	assert_error 403 DENIED
	auth_cgi -e REMOTE_ADDR=10.9.9.9 GET /v2/ -H 'X-Forwarded-For: 192.0.2.9'
	assert_status 200
}

@test "a mount from a repository the caller may not pull starts an upload (202) and links nothing" {
	local f=$BATS_TEST_TMPDIR/shared.bin d
	random_file "$f" 500
	d=$(digest_of "$f")
	seed_blob bob/src "$f"
	seed_blob alice/src "$f"
	rules '*  ${user}/**  *'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi POST "/v2/alice/dst/blobs/uploads/?mount=$d&from=bob/src" -H "$(as alice)"
	assert_status 202
	assert_header Location '^/v2/alice/dst/blobs/uploads/[^/]+$'
	assert [ ! -e "$(link_of alice/dst "$d")" ]
	reg_cgi HEAD "/v2/alice/dst/blobs/$d" -H "$(as alice)"
	assert_status 404
	# From her own repository the same mount works.
	reg_cgi POST "/v2/alice/dst2/blobs/uploads/?mount=$d&from=alice/src" -H "$(as alice)"
	assert_status 201
	assert [ -e "$(link_of alice/dst2 "$d")" ]
}

@test "the catalog lists only repositories the caller may pull" {
	seed_image alice/app v1
	seed_image bob/app v1
	seed_image public/app v1
	seed_image secret/app v1
	rules '*          ${user}/**  *' \
		'*          public/**   pull' \
		'anonymous  public/**   pull'
	htpasswd_config '[access]' "rules = $RULES"
	reg_cgi GET /v2/_catalog -H "$(as alice)"
	assert_status 200
	assert_json '.repositories == ["alice/app", "public/app"]'
	reg_cgi GET /v2/_catalog -H "$(as bob)"
	assert_json '.repositories == ["bob/app", "public/app"]'
	reg_cgi GET /v2/_catalog
	assert_status 200
	assert_json '.repositories == ["public/app"]'
	# Pages count only what is shown.
	reg_cgi GET '/v2/_catalog?n=1' -H "$(as alice)"
	assert_json '.repositories == ["alice/app"]'
	assert_header Link 'last=alice(%2F|/)app'
	reg_cgi GET '/v2/_catalog?n=1&last=alice/app' -H "$(as alice)"
	assert_json '.repositories == ["public/app"]'
}

@test "every refused write leaves storage unchanged" {
	seed_image team/app v1
	local manifest=$IMG_MANIFEST digest=$IMG_DIGEST layer=$IMG_LAYER
	rules 'admin  **       *' \
		'*      team/**  pull'
	htpasswd_config '[access]' "rules = $RULES"
	# An upload in progress that others must not touch.
	reg_cgi POST /v2/team/app/blobs/uploads/ -H "$(as admin)"
	assert_status 202
	local up
	up=$(header Location)
	local before
	before=$(store_snapshot)

	local who
	for who in bob anonymous wrongpw; do
		local -a cred=()
		case "$who" in
		bob) cred=(-H "$(as bob)") ;;
		wrongpw) cred=(-H "$(basic_auth admin wrong)") ;;
		esac
		try_push -- team/app "${cred[@]}"
		assert_status_in 401 403
		reg_cgi POST /v2/team/app/blobs/uploads/ "${cred[@]}"
		assert_status_in 401 403
		reg_cgi POST "/v2/team/other/blobs/uploads/?mount=$layer&from=team/app" "${cred[@]}"
		assert_status_in 401 403
		reg_cgi PATCH "$up" -d 'some bytes' -H 'Content-Type: application/octet-stream' "${cred[@]}"
		assert_status_in 401 403
		reg_cgi PUT "$up?digest=$PUSH_DIGEST" "${cred[@]}"
		assert_status_in 401 403
		reg_cgi DELETE "$up" "${cred[@]}"
		assert_status_in 401 403
		reg_cgi PUT /v2/team/app/manifests/v2 -f "$manifest" \
			-H 'Content-Type: application/vnd.oci.image.manifest.v1+json' "${cred[@]}"
		assert_status_in 401 403
		reg_cgi PUT /v2/team/new/manifests/v1 -f "$manifest" \
			-H 'Content-Type: application/vnd.oci.image.manifest.v1+json' "${cred[@]}"
		assert_status_in 401 403
		reg_cgi DELETE /v2/team/app/manifests/v1 "${cred[@]}"
		assert_status_in 401 403
		reg_cgi DELETE "/v2/team/app/manifests/$digest" "${cred[@]}"
		assert_status_in 401 403
		reg_cgi DELETE "/v2/team/app/blobs/$layer" "${cred[@]}"
		assert_status_in 401 403
		assert_equal "$(store_snapshot)" "$before"
	done
	# bob may still read it all.
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(as bob)"
	assert_status 200
}

@test "the log line carries user=<name> and never the password or the Authorization value" {
	seed_image team/app v1
	rules 'alice  team/**  pull'
	htpasswd_config '[access]' "rules = $RULES"
	local good bad
	good=$(as alice)
	bad=$(basic_auth alice Wrong-pw-XYZ)
	reg_cgi GET /v2/team/app/manifests/v1 -H "$good"
	assert_status 200
	reg_cgi GET /v2/team/app/manifests/v1 -H "$bad"
	assert_status 401
	try_push -- team/app -H "$good"
	assert_error 403 DENIED
	auth_cgi -e REMOTE_ADDR=192.0.2.7 GET /v2/ -H "$good"
	assert_status 401
	grep -q 'status=200 .*user=alice' "$AUTH_LOG"
	grep -q 'status=403 .*user=alice .*error=DENIED' "$AUTH_LOG"
	refute_log_has "$AUTH_PW_ALICE"
	refute_log_has Wrong-pw-XYZ
	refute_log_has "${good#Authorization: Basic }"
	refute_log_has "${bad#Authorization: Basic }"
	refute_log_has 'Basic '
	refute_log_has 'Authorization'
}

@test "the JSON log carries the user too, and no secret" {
	htpasswd_config '[log]' 'formatter = json'
	# A second [log] section adds to the first one.
	reg_cgi GET /v2/ -H "$(as alice)"
	assert_status 200
	run jq -e -s 'map(select(.msg == "request")) | .[-1] | .user == "alice"' "$AUTH_LOG"
	assert_success
	refute_log_has "$AUTH_PW_ALICE"
}
