#!/usr/bin/env bats
# 62-token-cgi.bats: token authentication with the programs run as plain CGI:
# the token server (berth-token: GET and POST /auth/token, /auth/jwks), the
# registry's Bearer challenge, and the registry refusing forged, stale,
# misdirected and oversized tokens
#
# Test tokens are signed with openssl (lib_token.bash), never with berth's
# own code, except where berth-token itself is under test.  The programs run
# as CGI in every mode of the runner; each test has its own config and
# storage under $BATS_TEST_TMPDIR.
# modes: cgi

load helpers
load lib_auth
load lib_token

MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

setup_file() {
	local k=$BATS_FILE_TMPDIR/keys a
	mkdir -p "$k"
	for a in EdDSA ES256 RS256; do
		mkdir -p "$k/$a"
		"$BERTH_BUILDDIR/berthctl/berthctl" keygen --alg "$a" --out "$k/$a" >/dev/null ||
			return 1
	done
	# Keys nobody trusts.
	mkdir -p "$k/evil"
	openssl genpkey -algorithm ed25519 -out "$k/evil/ed.pem" 2>/dev/null &&
		openssl req -x509 -key "$k/evil/ed.pem" -subj /CN=berth-token-signer \
			-days 2 -out "$k/evil/ed.crt" 2>/dev/null || return 1
	# The HS256 secret, 48 bytes, as a file of mode 0600.
	head -c 36 /dev/urandom | base64 -w0 >"$k/hmac.secret"
	chmod 0600 "$k/hmac.secret"
	auth_users "$BATS_FILE_TMPDIR/htpasswd"
	export TOK_CACHE_DIR=$BATS_FILE_TMPDIR/tokcache
	mkdir -p "$TOK_CACHE_DIR"
}

setup() {
	export BERTH_MODE=cgi
	BERTH_STORE=$BATS_TEST_TMPDIR/store
	K=$BATS_FILE_TMPDIR/keys
	HT=$BATS_TEST_TMPDIR/htpasswd
	RULES=$BATS_TEST_TMPDIR/access.rules
	cp "$BATS_FILE_TMPDIR/htpasswd" "$HT"
	printf '%s\n' \
		'admin      **          *' \
		'*          ${user}/**  *' \
		'*          team/**     pull' \
		'anonymous  public/**   pull' >"$RULES"
	chmod 0600 "$RULES"
	token_config
}

# token_config [SECTION.KEY=VALUE...]: BERTH_CONFIG for token auth: the
# registry trusts the EdDSA key, berth-token signs with it (and sends its
# certificate), htpasswd users, the rules in $RULES.  Arguments change or
# add keys; an empty value removes the key.
token_config() {
	local -a order=(
		storage.path registry.delete log.level log.file auth.method
		htpasswd.path token.realm token.service token.issuer token.keys
		token.algorithms token.leeway issuer.method issuer.key
		issuer.certificate issuer.algorithm issuer.issuer issuer.service
		issuer.expiration access.rules)
	local -A v=(
		[storage.path]=$BERTH_STORE [registry.delete]=true
		[log.level]=info [log.file]=$BATS_TEST_TMPDIR/berth.log
		[auth.method]=token [htpasswd.path]=$HT
		[token.realm]=https://auth.test/auth/token
		[token.service]=$TOK_SERVICE [token.issuer]=$TOK_ISS
		[token.keys]=$K/EdDSA/cert.pem
		[token.algorithms]='EdDSA, ES256, RS256' [token.leeway]=30
		[issuer.method]=htpasswd [issuer.key]=$K/EdDSA/key.pem
		[issuer.certificate]=$K/EdDSA/cert.pem [issuer.algorithm]=EdDSA
		[issuer.issuer]=$TOK_ISS [issuer.service]=$TOK_SERVICE
		[issuer.expiration]=300 [access.rules]=$RULES)
	local kv k sect
	for kv in "$@"; do
		k=${kv%%=*}
		[ -n "${v[$k]+set}" ] || order+=("$k")
		v[$k]=${kv#*=}
	done
	mkdir -p "$BERTH_STORE"
	BERTH_CONFIG=$BATS_TEST_TMPDIR/berth.ini
	AUTH_LOG=$BATS_TEST_TMPDIR/berth.log
	# One block per section, in the order sections first appear.
	local -a sections=()
	for k in "${order[@]}"; do
		sect=${k%%.*}
		[[ " ${sections[*]} " == *" $sect "* ]] || sections+=("$sect")
	done
	{
		for sect in "${sections[@]}"; do
			printf '[%s]\n' "$sect"
			for k in "${order[@]}"; do
				[ "${k%%.*}" = "$sect" ] || continue
				[ -n "${v[$k]}" ] || continue
				printf '%s = %s\n' "${k#*.}" "${v[$k]}"
			done
		done
	} >"$BERTH_CONFIG"
	export BERTH_CONFIG BERTH_STORE AUTH_LOG
}

# as USER: Basic credentials of a user made by auth_users.
as() {
	local pw
	case "$1" in
	alice) pw=$AUTH_PW_ALICE ;;
	bob) pw=$AUTH_PW_BOB ;;
	admin) pw=$AUTH_PW_ADMIN ;;
	*) pw=unknown ;;
	esac
	basic_auth "$1" "$pw"
}

# get_token USER|"" [QUERY]: GET /auth/token as USER (anonymous for "");
# sets TOKEN (empty unless 200).
get_token() {
	local user=$1 q=${2:-}
	local -a h=()
	[ -n "$user" ] && h=(-H "$(as "$user")")
	reg_cgi GET "/auth/token?service=$TOK_SERVICE${q:+&$q}" "${h[@]}"
	TOKEN=
	[ "$REG_STATUS" = 200 ] && TOKEN=$(jq -r .token "$REG_BODY_FILE")
	return 0
}

# claims / theader: the claims and header of $TOKEN as JSON.
claims() { tok_part "$TOKEN" 1; }
theader() { tok_part "$TOKEN" 0; }

# assert_claims JQ: the claims of $TOKEN satisfy JQ.
assert_claims() {
	local c
	c=$(claims)
	if ! jq -e "$1" <<<"$c" >/dev/null 2>&1; then
		batslib_print_kv_single_or_multi 8 expression "$1" claims "$c" |
			batslib_decorate 'claims assertion failed' | fail
	fi
}

# form_post BODY [reg_cgi options]: POST /auth/token with a form body.
form_post() {
	local body=$1
	shift
	reg_cgi POST /auth/token -d "$body" \
		-H 'Content-Type: application/x-www-form-urlencoded' "$@"
}

# seed_image REPO [TAG]: make_image through an open config on the same
# storage (sets IMG_*); the token config stays in force afterwards.
seed_image() {
	local keep=$BERTH_CONFIG rc=0
	BERTH_CONFIG=$BATS_TEST_TMPDIR/open.ini
	printf '[storage]\npath = %s\n[log]\nlevel = warn\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	make_image "$@" || rc=$?
	BERTH_CONFIG=$keep
	return $rc
}

# push_with TOKEN REPO: a monolithic upload of fresh bytes with TOKEN.
push_with() {
	local f=$BATS_TEST_TMPDIR/blob.$RANDOM
	random_file "$f" 300
	PUSH_DIGEST=$(digest_of "$f")
	reg_cgi POST "/v2/$2/blobs/uploads/?digest=$PUSH_DIGEST" -f "$f" \
		-H 'Content-Type: application/octet-stream' -H "$(bearer "$1")"
}

# good [tok_claims options]: an EdDSA token as the trusted issuer signs it,
# granting pull and push on alice/app unless -g says otherwise.
good() {
	local -a g=(-g 'repository:alice/app:pull,push')
	[[ " $* " == *" -g "* ]] && g=()
	tok_make EdDSA "$K/EdDSA/key.pem" "${g[@]}" "$@"
}

# assert_accepted TOKEN [REPO]: a push to REPO (alice/app) with TOKEN is 201.
assert_accepted() {
	push_with "$1" "${2:-alice/app}"
	assert_status 201
}

# assert_refused TOKEN [WHY]: pushing to alice/app with TOKEN is 401
# UNAUTHORIZED with a Bearer challenge saying invalid_token, and storage is
# unchanged.  WHY, an extended regular expression, must
# match the error detail (case-insensitive), so that the token is refused
# for the reason the test is about.
assert_refused() {
	local t=$1 why=${2:-} repo=alice/app before
	[ -d "$BERTH_STORE/_tmp" ] || reg_cgi GET /v2/	# creates the tree
	before=$(store_state)
	push_with "$t" "$repo"
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Bearer realm="https://auth.test/auth/token",service="registry.test",'
	assert_equal "$(tok_challenge_param error)" invalid_token
	if [ -n "$why" ]; then
		local detail
		detail=$(jq -r '.errors[0].detail' "$REG_BODY_FILE")
		shopt -s nocasematch
		if ! [[ "$detail" =~ $why ]]; then
			shopt -u nocasematch
			batslib_print_kv_single 8 expected "$why" detail "$detail" |
				batslib_decorate 'refused for another reason' | fail
			return
		fi
		shopt -u nocasematch
	fi
	assert_equal "$before" "$(store_state)"
}

# store_state: every path under BERTH_STORE with its type, size and link
# target (cheaper than store_snapshot, for the many refused requests).
store_state() {
	(cd "$BERTH_STORE" && find . -mindepth 1 -printf '%y %p %s %l\n' | sort)
}

# ---------------------------------------------------------- the token server

@test "GET /auth/token with Basic credentials answers token, access_token, expires_in and issued_at" {
	local t0
	t0=$(date +%s)
	get_token alice 'scope=repository:alice/app:pull'
	assert_status 200
	assert_header Content-Type '^application/json'
	assert_header Cache-Control 'no-store'
	assert_json '.token | type == "string" and (split(".") | length == 3)'
	assert_json '.access_token == .token'
	assert_json '.expires_in >= 60 and .expires_in == 300'
	assert_json '.issued_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")'
	local issued
	issued=$(jq -r '.issued_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601' "$REG_BODY_FILE")
	[ "$issued" -ge $((t0 - 5)) ] && [ "$issued" -le $(($(date +%s) + 5)) ] ||
		fail "issued_at $issued is not now ($t0)"
	assert_json 'has("refresh_token") | not'
	assert_claims ".iss == \"$TOK_ISS\" and .sub == \"alice\" and .aud == \"$TOK_SERVICE\""
	assert_claims '.exp - .iat == 300 and (.jti | length > 0)'
	assert_claims "(.iat - $t0) | . >= -5 and . <= 5"
	refute_log_has "$TOKEN"
	refute_log_has "$AUTH_PW_ALICE"
}

@test "the token header has alg, a 43-character RFC 7638 kid and the certificate as x5c; openssl verifies it" {
	get_token alice 'scope=repository:alice/app:pull'
	assert_status 200
	local h kid
	h=$(theader)
	jq -e '.alg == "EdDSA" and .typ == "JWT"' <<<"$h" >/dev/null || fail "header: $h"
	kid=$(jq -r .kid <<<"$h")
	assert_equal "${#kid}" 43
	assert_equal "$kid" "$(tok_thumbprint "$K/EdDSA/cert.pem")"
	# x5c[0] is the configured certificate (standard base64 of its DER).
	assert_equal "$(jq -r '.x5c[0]' <<<"$h")" \
		"$(openssl x509 -in "$K/EdDSA/cert.pem" -outform DER | base64 -w0)"
	run tok_verify_openssl "$TOKEN" "$K/EdDSA/cert.pem" EdDSA
	assert_success
}

@test "without [issuer] certificate the header has no x5c" {
	token_config issuer.certificate=
	get_token alice 'scope=repository:alice/app:pull'
	assert_status 200
	theader | jq -e '(has("x5c") | not) and (.kid | length == 43)' >/dev/null ||
		fail "header: $(theader)"
}

@test "the token grants exactly what was asked AND what the rules allow: asking for more gets less, not an error" {
	get_token alice 'scope=repository:alice/app:pull,push,delete&scope=repository:team/app:pull,push&scope=repository:bob/app:pull&scope=repository:public/app:push'
	assert_status 200
	assert_claims '.access | length == 4'
	assert_claims '.access[] | select(.name == "alice/app") | .type == "repository" and (.actions | sort) == ["delete","pull","push"]'
	assert_claims '.access[] | select(.name == "team/app") | .actions == ["pull"]'
	assert_claims '[.access[] | select(.name == "bob/app" or .name == "public/app") | .actions[]] == []'
	# Asking for less gets only that.
	get_token alice 'scope=repository:alice/app:pull'
	assert_claims '.access == [{"type":"repository","name":"alice/app","actions":["pull"]}]'
	# No scope: a token that grants nothing (docker login).
	get_token alice
	assert_status 200
	assert_claims '(.access // []) | map(.actions[]) == []'
	# Two scopes in one parameter (space-separated) work too.
	get_token alice 'scope=repository:alice/app:pull+repository:team/app:pull'
	assert_claims '[.access[].name] | sort == ["alice/app","team/app"]'
}

@test "the token's grants are honoured by the registry and nothing more" {
	seed_image team/app v1
	get_token alice 'scope=repository:alice/app:pull,push&scope=repository:team/app:pull,push'
	push_with "$TOKEN" alice/app
	assert_status 201
	reg_cgi GET /v2/team/app/manifests/v1 -H "$(bearer "$TOKEN")"
	assert_status 200
	push_with "$TOKEN" team/app
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" insufficient_scope
}

@test "an anonymous GET gets a token for what anonymous may do (public/** pull) and no more" {
	seed_image public/app v1
	get_token "" 'scope=repository:public/app:pull,push&scope=repository:team/app:pull'
	assert_status 200
	assert_claims '.access[] | select(.name == "public/app") | .actions == ["pull"]'
	assert_claims '.access[] | select(.name == "team/app") | .actions == []'
	assert_claims '(.sub // "") == ""'
	reg_cgi GET /v2/public/app/manifests/v1 -H "$(bearer "$TOKEN")"
	assert_status 200
	push_with "$TOKEN" public/app
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" insufficient_scope
	# No refresh token for anonymous callers, even when offered.
	token_config issuer.offline_token=true
	get_token "" 'scope=repository:public/app:pull&offline_token=true'
	assert_status 200
	assert_json 'has("refresh_token") | not'
}

@test "a wrong password or an unknown user gets 401 and no token" {
	reg_cgi GET "/auth/token?service=$TOK_SERVICE&scope=repository:alice/app:pull" \
		-H "$(basic_auth alice wrong-password)"
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm='
	assert_json 'has("token") | not'
	reg_cgi GET "/auth/token?service=$TOK_SERVICE" -H "$(basic_auth mallory whatever)"
	assert_error 401 UNAUTHORIZED
	assert_json 'has("token") | not'
	refute_log_has wrong-password
}

@test "a token for another service is refused" {
	reg_cgi GET '/auth/token?service=other.test&scope=repository:alice/app:pull' -H "$(as alice)"
	assert_status_in 400 401 403
	assert_json 'has("token") | not'
}

@test "offline_token=true gives a refresh_token only when [issuer] offline_token = true" {
	get_token alice 'scope=repository:alice/app:pull&offline_token=true'
	assert_status 200
	assert_json 'has("refresh_token") | not'
	token_config issuer.offline_token=true
	get_token alice 'scope=repository:alice/app:pull&offline_token=true'
	assert_status 200
	assert_json '.refresh_token | type == "string" and (split(".") | length == 3)'
	assert_json '.refresh_token != .token'
	get_token alice 'scope=repository:alice/app:pull'
	assert_json 'has("refresh_token") | not'
}

@test "POST grant_type=password with a form body gives a token (and a refresh token for access_type=offline)" {
	token_config issuer.offline_token=true
	form_post "grant_type=password&username=alice&password=$AUTH_PW_ALICE&service=$TOK_SERVICE&client_id=berth-test&scope=repository%3Aalice%2Fapp%3Apull%2Cpush+repository%3Ateam%2Fapp%3Apull"
	assert_status 200
	assert_json '.access_token | split(".") | length == 3'
	TOKEN=$(jq -r .access_token "$REG_BODY_FILE")
	assert_claims '.sub == "alice"'
	assert_claims '.access[] | select(.name == "alice/app") | (.actions | sort) == ["pull","push"]'
	assert_claims '.access[] | select(.name == "team/app") | .actions == ["pull"]'
	assert_json 'has("refresh_token") | not'
	assert_accepted "$TOKEN"
	form_post "grant_type=password&username=alice&password=$AUTH_PW_ALICE&service=$TOK_SERVICE&access_type=offline&client_id=berth-test"
	assert_status 200
	assert_json '.refresh_token | type == "string"'
	# A wrong password is 401, with no token.
	form_post "grant_type=password&username=alice&password=nope&service=$TOK_SERVICE&client_id=berth-test"
	assert_error 401 UNAUTHORIZED
	assert_json 'has("access_token") | not'
	refute_log_has "$AUTH_PW_ALICE"
}

@test "POST grant_type=refresh_token works, and the refresh token is never a bearer token for the registry" {
	token_config issuer.offline_token=true
	seed_image alice/app v1
	get_token alice 'offline_token=true'
	assert_status 200
	local refresh
	refresh=$(jq -r .refresh_token "$REG_BODY_FILE")
	[ -n "$refresh" ] && [ "$refresh" != null ] || fail "no refresh token: $REG_BODY"
	form_post "grant_type=refresh_token&refresh_token=$refresh&service=$TOK_SERVICE&client_id=berth-test&scope=repository%3Aalice%2Fapp%3Apull"
	assert_status 200
	TOKEN=$(jq -r .access_token "$REG_BODY_FILE")
	assert_claims '.sub == "alice" and .access == [{"type":"repository","name":"alice/app","actions":["pull"]}]'
	reg_cgi GET /v2/alice/app/manifests/v1 -H "$(bearer "$TOKEN")"
	assert_status 200
	# The refresh token itself is refused by the registry.
	reg_cgi GET /v2/alice/app/manifests/v1 -H "$(bearer "$refresh")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" invalid_token
	reg_cgi GET /v2/ -H "$(bearer "$refresh")"
	assert_error 401 UNAUTHORIZED
	# And an access token is no refresh token.
	form_post "grant_type=refresh_token&refresh_token=$TOKEN&service=$TOK_SERVICE&client_id=berth-test"
	assert_error 401 UNAUTHORIZED
	assert_json 'has("access_token") | not'
	# Nor is a refresh token of another key.
	local forged
	forged=$(tok_make EdDSA "$K/evil/ed.pem" -a "berth-refresh:$TOK_SERVICE" -s admin)
	form_post "grant_type=refresh_token&refresh_token=$forged&service=$TOK_SERVICE&client_id=berth-test"
	assert_error 401 UNAUTHORIZED
}

@test "passwords and refresh tokens over plain HTTP from a non-loopback peer are refused (GET and POST alike)" {
	token_config issuer.offline_token=true
	get_token alice 'offline_token=true'
	local refresh
	refresh=$(jq -r .refresh_token "$REG_BODY_FILE")
	# GET with Basic credentials: refused, saying to use TLS.
	tok_cgi -e REMOTE_ADDR=192.0.2.7 GET "/auth/token?service=$TOK_SERVICE" -H "$(as alice)"
	assert_error 401 UNAUTHORIZED
	assert_json '.errors[0].detail | test("TLS")'
	# The same password in a POST form is a credential over plain HTTP too.
	tok_cgi -e REMOTE_ADDR=192.0.2.7 POST /auth/token \
		-d "grant_type=password&username=alice&password=$AUTH_PW_ALICE&service=$TOK_SERVICE&client_id=berth-test" \
		-H 'Content-Type: application/x-www-form-urlencoded'
	assert_error 401 UNAUTHORIZED
	assert_json '(has("token") | not) and (has("access_token") | not)'
	tok_cgi -e REMOTE_ADDR=192.0.2.7 POST /auth/token \
		-d "grant_type=refresh_token&refresh_token=$refresh&service=$TOK_SERVICE&client_id=berth-test" \
		-H 'Content-Type: application/x-www-form-urlencoded'
	assert_error 401 UNAUTHORIZED
	assert_json '(has("token") | not) and (has("access_token") | not)'
	# Over TLS both are fine.
	tok_cgi -e REMOTE_ADDR=192.0.2.7 -e HTTPS=on POST /auth/token \
		-d "grant_type=password&username=alice&password=$AUTH_PW_ALICE&service=$TOK_SERVICE&client_id=berth-test" \
		-H 'Content-Type: application/x-www-form-urlencoded'
	assert_status 200
	tok_cgi -e REMOTE_ADDR=192.0.2.7 -e HTTPS=on POST /auth/token \
		-d "grant_type=refresh_token&refresh_token=$refresh&service=$TOK_SERVICE&client_id=berth-test" \
		-H 'Content-Type: application/x-www-form-urlencoded'
	assert_status 200
}

@test "a refresh token stops working once its user is removed from the htpasswd file" {
	token_config issuer.offline_token=true
	get_token alice 'offline_token=true'
	local refresh
	refresh=$(jq -r .refresh_token "$REG_BODY_FILE")
	form_post "grant_type=refresh_token&refresh_token=$refresh&service=$TOK_SERVICE&client_id=berth-test"
	assert_status 200
	htpasswd -D "$HT" alice 2>/dev/null
	form_post "grant_type=refresh_token&refresh_token=$refresh&service=$TOK_SERVICE&client_id=berth-test&scope=repository%3Aalice%2Fapp%3Apull%2Cpush"
	assert_error 401 UNAUTHORIZED
	assert_json '(has("token") | not) and (has("access_token") | not)'
}

@test "POST with an unsupported grant_type is 404 (containerd then falls back to GET), never 403 or 500" {
	local g
	for g in client_credentials authorization_code 'urn:ietf:params:oauth:grant-type:jwt-bearer' ''; do
		form_post "grant_type=$g&service=$TOK_SERVICE&client_id=berth-test&scope=repository%3Aalice%2Fapp%3Apull" \
			-H "$(as alice)"
		assert_status 404
		assert_json '(has("token") | not) and (has("access_token") | not)'
	done
	form_post "service=$TOK_SERVICE&client_id=berth-test"
	assert_status 404
}

@test "POST for another service is 404 too (a GET fallback then explains), never 403" {
	form_post "grant_type=password&username=alice&password=$AUTH_PW_ALICE&service=not-$TOK_SERVICE&client_id=berth-test"
	assert_status 404
	assert_json '(has("token") | not)'
	reg_cgi GET "/auth/token?service=not-$TOK_SERVICE" -H "$(as alice)"
	assert_error 403 DENIED
}

@test "GET /auth/jwks publishes the public key (kid = thumbprint, no private part)" {
	reg_cgi GET /auth/jwks
	assert_status 200
	assert_header Content-Type '^application/json'
	assert_json '.keys | length == 1'
	assert_json ".keys[0].kid == \"$(tok_thumbprint "$K/EdDSA/cert.pem")\""
	local want
	want=$(tok_jwk "$K/EdDSA/cert.pem")
	assert_json ".keys[0] | .kty == \"OKP\" and .crv == \"Ed25519\" and .x == $(jq .x <<<"$want")"
	assert_json '.keys[0] | has("d") | not'
	assert_json '.keys[0] | (.use // "sig") == "sig" and (.alg // "EdDSA") == "EdDSA"'
	[[ "$REG_BODY" != *PRIVATE* ]] || fail "private key material in the JWKS"
}

@test "the registry accepts berth-token's tokens through a JWKS file as [token] keys" {
	local k
	for k in EdDSA ES256 RS256; do
		token_config "issuer.algorithm=$k" "issuer.key=$K/$k/key.pem" \
			issuer.certificate= "token.keys=$K/$k/cert.pem"
		reg_cgi GET /auth/jwks
		assert_status 200
		cp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/jwks-$k.json"
		get_token alice 'scope=repository:alice/app:pull,push'
		assert_status 200
		token_config "issuer.algorithm=$k" "issuer.key=$K/$k/key.pem" \
			issuer.certificate= token.keys="$BATS_TEST_TMPDIR/jwks-$k.json"
		assert_accepted "$TOKEN"
	done
	# An EdDSA token is refused by a registry trusting only that JWKS.
	assert_refused "$(good)" 'unknown key'
}

@test "with an HS256 issuer, /auth/jwks publishes nothing and the secret never leaves" {
	token_config issuer.algorithm=HS256 issuer.key= issuer.certificate= \
		issuer.hmac_secret_file="$K/hmac.secret" \
		token.keys= token.hmac_secret_file="$K/hmac.secret" token.algorithms=HS256
	reg_cgi GET /auth/jwks
	assert_status 404
	[[ "$REG_BODY" != *"$(cat "$K/hmac.secret")"* ]] || fail "secret in the body"
}

@test "berth-token signs with ES256 (raw R||S), RS256 and HS256, and the registry verifies each" {
	local a
	for a in ES256 RS256; do
		token_config "issuer.algorithm=$a" "issuer.key=$K/$a/key.pem" \
			"issuer.certificate=$K/$a/cert.pem" "token.keys=$K/$a/cert.pem" \
			"token.algorithms=$a"
		get_token alice 'scope=repository:alice/app:pull,push'
		assert_status 200
		theader | jq -e --arg a "$a" '.alg == $a and (.kid | length == 43)' >/dev/null ||
			fail "header: $(theader)"
		run tok_verify_openssl "$TOKEN" "$K/$a/cert.pem" "$a"
		assert_success
		assert_accepted "$TOKEN"
	done
	token_config issuer.algorithm=HS256 issuer.key= issuer.certificate= \
		issuer.hmac_secret_file="$K/hmac.secret" \
		token.keys= token.hmac_secret_file="$K/hmac.secret" token.algorithms=HS256
	get_token alice 'scope=repository:alice/app:pull,push'
	assert_status 200
	theader | jq -e '.alg == "HS256" and .kid == "berth-hs256" and (has("x5c") | not)' >/dev/null ||
		fail "header: $(theader)"
	# The same claims signed by openssl with the same secret: identical.
	assert_equal "$(tok_sign HS256 "$K/hmac.secret" "$(theader)" "$(claims)")" "$TOKEN"
	assert_accepted "$TOKEN"
}

# ------------------------------------------------------ the registry's side

@test "401 challenge for a pull: Bearer realm, service and scope repository:<name>:pull" {
	reg_cgi GET /v2/team/app/manifests/v1
	assert_error 401 UNAUTHORIZED
	assert_equal "$(header WWW-Authenticate)" \
		"Bearer realm=\"https://auth.test/auth/token\",service=\"$TOK_SERVICE\",scope=\"repository:team/app:pull\""
	reg_cgi HEAD "/v2/team/app/blobs/sha256:$(printf '%064d' 0)"
	assert_status 401
	assert_equal "$(tok_challenge_param scope)" repository:team/app:pull
	reg_cgi GET /v2/team/app/tags/list
	assert_equal "$(tok_challenge_param scope)" repository:team/app:pull
	# The ping has a challenge without a scope.
	reg_cgi GET /v2/
	assert_error 401 UNAUTHORIZED
	assert_equal "$(header WWW-Authenticate)" \
		"Bearer realm=\"https://auth.test/auth/token\",service=\"$TOK_SERVICE\""
}

@test "401 challenge for a push asks for pull,push; for the catalog registry:catalog:*; for delete, delete" {
	reg_cgi POST /v2/team/app/blobs/uploads/
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param scope)" repository:team/app:pull,push
	reg_cgi PUT /v2/team/app/manifests/v1 -d '{}' \
		-H "Content-Type: $MT_OCI_MANIFEST"
	assert_equal "$(tok_challenge_param scope)" repository:team/app:pull,push
	reg_cgi GET /v2/_catalog
	assert_error 401 UNAUTHORIZED
	assert_equal "$(header WWW-Authenticate)" \
		"Bearer realm=\"https://auth.test/auth/token\",service=\"$TOK_SERVICE\",scope=\"registry:catalog:*\""
	reg_cgi DELETE "/v2/team/app/manifests/sha256:$(printf '%064d' 0)"
	assert_status 401
	assert_equal "$(tok_challenge_param scope)" repository:team/app:delete
}

@test "the challenge for a mount also asks for pull on the repository mounted from" {
	reg_cgi POST "/v2/alice/app/blobs/uploads/?mount=sha256:$(printf '%064d' 0)&from=team/base"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param scope)" 'repository:alice/app:pull,push repository:team/base:pull'
	# An invalid from name is not echoed.
	reg_cgi POST "/v2/alice/app/blobs/uploads/?mount=sha256:$(printf '%064d' 0)&from=Bad%22Name"
	assert_status 401
	assert_equal "$(tok_challenge_param scope)" repository:alice/app:pull,push
}

@test "autoredirect builds the realm from Host, with https when HTTPS=on" {
	token_config token.realm= token.autoredirect=true
	reg_cgi GET /v2/team/app/manifests/v1 -H 'Host: registry.test:5000'
	assert_status 401
	assert_equal "$(tok_challenge_param realm)" http://registry.test:5000/auth/token
	assert_equal "$(tok_challenge_param service)" "$TOK_SERVICE"
	auth_cgi -e HTTPS=on -e HTTP_HOST=registry.test GET /v2/team/app/manifests/v1
	assert_status 401
	assert_equal "$(tok_challenge_param realm)" https://registry.test/auth/token
	# A Host that would break out of the quoted realm is not used.
	auth_cgi -e 'HTTP_HOST=evil.test",error="x' GET /v2/team/app/manifests/v1
	assert_status 401
	[[ "$(header WWW-Authenticate)" != *evil.test* ]] ||
		fail "Host was echoed: $(header WWW-Authenticate)"
}

@test "a valid token is accepted: pull 200, push 201, catalog with registry:catalog:*" {
	seed_image alice/app v1
	local t
	t=$(good -g repository:alice/app:pull,push -g 'registry:catalog:*')
	reg_cgi GET /v2/alice/app/manifests/v1 -H "$(bearer "$t")"
	assert_status 200
	assert_equal "$(header Docker-Content-Digest)" "$IMG_DIGEST"
	assert_accepted "$t"
	reg_cgi GET /v2/_catalog -H "$(bearer "$t")"
	assert_status 200
	assert_json '.repositories == ["alice/app"]'
	reg_cgi GET /v2/ -H "$(bearer "$t")"
	assert_status 200
	# Without the catalog grant the catalog is refused.
	t=$(good)
	reg_cgi GET /v2/_catalog -H "$(bearer "$t")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" insufficient_scope
}

# ------------------------------------------------------------------ attacks

@test "attack: alg none (unsigned) is refused" {
	local c h
	c=$(tok_claims -g repository:alice/app:pull,push)
	for h in '{"typ":"JWT","alg":"none"}' '{"alg":"None"}' '{"alg":"NONE"}' \
		"{\"alg\":\"none\",\"kid\":\"$(tok_thumbprint "$K/EdDSA/cert.pem")\"}"; do
		assert_refused "$(printf '%s' "$h" | b64url).$(printf '%s' "$c" | b64url)." 'alg'
		# A "signature" does not help either.
		assert_refused "$(printf '%s' "$h" | b64url).$(printf '%s' "$c" | b64url).$(printf 'x' | b64url)" 'alg'
	done
	# Reads are refused the same way.
	seed_image alice/app v1
	reg_cgi GET /v2/alice/app/manifests/v1 -H "$(bearer "$(printf '%s' "$h" | b64url).$(printf '%s' "$c" | b64url).")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" invalid_token
	assert_equal "$(tok_challenge_param scope)" repository:alice/app:pull
	assert_accepted "$(good)"
}

@test "attack: HS256 signed with the public key's PEM bytes as the secret is refused" {
	local c kid secret
	c=$(tok_claims -g repository:alice/app:pull,push)
	kid=$(tok_thumbprint "$K/EdDSA/cert.pem")
	openssl x509 -in "$K/EdDSA/cert.pem" -noout -pubkey >"$BATS_TEST_TMPDIR/pub.pem"
	# Even where HS256 is allowed and an HMAC secret is configured.
	token_config token.algorithms='EdDSA, HS256' token.hmac_secret_file="$K/hmac.secret"
	for secret in "$K/EdDSA/cert.pem" "$BATS_TEST_TMPDIR/pub.pem"; do
		assert_refused "$(tok_sign HS256 "$secret" "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"$kid\"}" "$c")" 'alg|signature'
		assert_refused "$(tok_sign HS256 "$secret" '{"typ":"JWT","alg":"HS256","kid":"berth-hs256"}' "$c")" 'signature'
		assert_refused "$(tok_sign HS256 "$secret" '{"typ":"JWT","alg":"HS256"}' "$c")" 'alg|signature|key'
	done
	# The configured secret itself works, so HS256 was really on.
	assert_accepted "$(tok_make HS256 "$K/hmac.secret" -g repository:alice/app:pull,push)"
	assert_accepted "$(good)"
}

@test "attack: an expired token is refused; within the leeway (30 s) it is accepted" {
	assert_refused "$(good -e -120)" 'expired'
	assert_refused "$(good -e -45 -t -400 -n -400)" 'expired'
	assert_accepted "$(good -e -10 -t -300 -n -300)"
}

@test "attack: a token not valid yet (nbf or iat in the future beyond the leeway) is refused; within it accepted" {
	assert_refused "$(good -n 120)" 'not valid|nbf|future'
	assert_refused "$(good -t 120)" 'future|iat'
	assert_accepted "$(good -n 10 -t 10)"
}

@test "attack: a token without exp is refused" {
	local c
	c=$(tok_claims -g repository:alice/app:pull,push | jq -c 'del(.exp)')
	assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" "$(tok_header EdDSA "$K/EdDSA/key.pem")" "$c")" 'exp'
}

@test "attack: a token for another audience is refused" {
	assert_refused "$(good -a other.test)" 'aud'
	assert_refused "$(good -a "berth-refresh:$TOK_SERVICE")" 'aud'
	assert_refused "$(good -x '{"aud":["other.test"]}')" 'aud'
	assert_refused "$(good -x '{"aud":[]}')" 'aud'
	assert_refused "$(good -x '{"aud":null}')" 'aud'
	assert_accepted "$(good -x "{\"aud\":[\"other.test\",\"$TOK_SERVICE\"]}")"
}

@test "attack: a token from another issuer is refused" {
	assert_refused "$(good -i other-issuer)" 'iss'
	assert_refused "$(good -i "${TOK_ISS}x")" 'iss'
	assert_refused "$(good -x '{"iss":null}')" 'iss'
}

@test "attack: a tampered payload (more access, same signature) is refused" {
	local t h c s c2
	t=$(good -g repository:alice/app:pull)
	IFS=. read -r h c s <<<"$t"
	c2=$(tok_part "$t" 1 | jq -c '.access = [{"type":"repository","name":"alice/app","actions":["pull","push"]}]' | b64url)
	assert_refused "$h.$c2.$s" 'signature'
	c2=$(tok_part "$t" 1 | jq -c '.sub = "admin"' | b64url)
	assert_refused "$h.$c2.$s" 'signature'
}

@test "attack: a tampered signature is refused" {
	local t h c s mid flipped
	t=$(good)
	IFS=. read -r h c s <<<"$t"
	mid=$((${#s} / 2))
	if [ "${s:$mid:1}" = A ]; then flipped=B; else flipped=A; fi
	assert_refused "$h.$c.${s:0:$mid}$flipped${s:$((mid + 1))}" 'signature'
	# Truncated, doubled, empty.
	assert_refused "$h.$c.${s:0:$((${#s} - 4))}" 'signature|64 bytes|base64'
	assert_refused "$h.$c.$s$s" 'signature|64 bytes'
	assert_refused "$h.$c." 'signature'
	# The signature of another token.
	local s2
	s2=$(good -g repository:alice/other:pull)
	assert_refused "$h.$c.${s2##*.}" 'signature'
}

@test "attack: a token naming an unknown kid, or a known kid but signed by another key, is refused" {
	local c evil trusted
	c=$(tok_claims -g repository:alice/app:pull,push)
	evil=$(tok_thumbprint "$K/evil/ed.pem")
	trusted=$(tok_thumbprint "$K/EdDSA/cert.pem")
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"kid\":\"$evil\"}" "$c")" 'unknown key'
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"kid\":\"$trusted\"}" "$c")" 'signature'
	assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" '{"typ":"JWT","alg":"EdDSA","kid":"no-such-key"}' "$c")" 'unknown key'
	assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" '{"typ":"JWT","alg":"EdDSA"}' "$c")" 'kid'
}

@test "attack: an embedded jwk of an untrusted key is refused" {
	local c jwk trusted
	c=$(tok_claims -g repository:alice/app:pull,push)
	jwk=$(tok_jwk "$K/evil/ed.pem")
	trusted=$(tok_thumbprint "$K/EdDSA/cert.pem")
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"jwk\":$jwk}" "$c")" 'jwk|trusted'
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"jwk\":$jwk,\"kid\":\"$trusted\"}" "$c")" 'jwk|trusted'
	# The trusted key's jwk with the attacker's signature.
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"jwk\":$(tok_jwk "$K/EdDSA/cert.pem")}" "$c")" 'signature'
	# An x5c certificate nobody trusts (same subject as the real one).
	local x5c
	x5c=$(openssl x509 -in "$K/evil/ed.crt" -outform DER | base64 -w0)
	assert_refused "$(tok_sign EdDSA "$K/evil/ed.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"x5c\":[\"$x5c\"]}" "$c")" 'x5c|trusted|certificate'
	# The trusted key's own jwk and signature are fine.
	assert_accepted "$(tok_sign EdDSA "$K/EdDSA/key.pem" "{\"typ\":\"JWT\",\"alg\":\"EdDSA\",\"jwk\":$(tok_jwk "$K/EdDSA/cert.pem")}" "$c")"
}

@test "an x5c chain is accepted only when it verifies against [token] ca" {
	local d=$BATS_TEST_TMPDIR/pki c
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
		for ca in ca evilca; do
			openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=$ca" \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign \
				-keyout "$ca.key" -out "$ca.crt"
			openssl req "${ec[@]}" -subj "/CN=signer-of-$ca" -keyout "$ca-leaf.key" -out "$ca-leaf.csr"
			openssl x509 -req -in "$ca-leaf.csr" -CA "$ca.crt" -CAkey "$ca.key" \
				-CAcreateserial -days 2 -out "$ca-leaf.crt"
		done
	) >"$d/log" 2>&1 || fail "openssl: $(cat "$d/log")"
	token_config "token.ca=$d/ca.crt"
	c=$(tok_claims -g repository:alice/app:pull,push)
	x5c() { openssl x509 -in "$1" -outform DER | base64 -w0; }
	assert_accepted "$(tok_sign ES256 "$d/ca-leaf.key" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(x5c "$d/ca-leaf.crt")\",\"$(x5c "$d/ca.crt")\"]}" "$c")"
	assert_accepted "$(tok_sign ES256 "$d/ca-leaf.key" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(x5c "$d/ca-leaf.crt")\"]}" "$c")"
	# A chain from another CA, even carrying that CA along.
	assert_refused "$(tok_sign ES256 "$d/evilca-leaf.key" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(x5c "$d/evilca-leaf.crt")\",\"$(x5c "$d/evilca.crt")\"]}" "$c")" 'x5c|certificate|chain|verif'
	# The trusted leaf certificate with a signature of another key.
	assert_refused "$(tok_sign ES256 "$d/evilca-leaf.key" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(x5c "$d/ca-leaf.crt")\"]}" "$c")" 'signature'
	# Without [token] ca the chain counts for nothing.
	token_config
	assert_refused "$(tok_sign ES256 "$d/ca-leaf.key" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(x5c "$d/ca-leaf.crt")\",\"$(x5c "$d/ca.crt")\"]}" "$c")" 'x5c|trusted|certificate'
}

@test "attack: a pull token used to push gets 401 with error=\"insufficient_scope\" and stores nothing" {
	seed_image alice/app v1
	local t before
	t=$(good -g repository:alice/app:pull)
	reg_cgi GET /v2/alice/app/manifests/v1 -H "$(bearer "$t")"
	assert_status 200
	before=$(store_snapshot)
	push_with "$t" alice/app
	assert_error 401 UNAUTHORIZED
	assert_equal "$(header WWW-Authenticate)" \
		"Bearer realm=\"https://auth.test/auth/token\",service=\"$TOK_SERVICE\",scope=\"repository:alice/app:pull,push\",error=\"insufficient_scope\""
	reg_cgi PUT /v2/alice/app/manifests/v2 -f "$IMG_MANIFEST" \
		-H "Content-Type: $MT_OCI_MANIFEST" -H "$(bearer "$t")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" insufficient_scope
	reg_cgi DELETE "/v2/alice/app/manifests/$IMG_DIGEST" -H "$(bearer "$t")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param scope)" repository:alice/app:delete
	assert_equal "$before" "$(store_snapshot)"
}

@test "attack: a token for repository a used on repository b is refused" {
	seed_image alice/b v1
	local t before
	t=$(good -g repository:alice/a:pull,push,delete)
	before=$(store_snapshot)
	reg_cgi GET /v2/alice/b/manifests/v1 -H "$(bearer "$t")"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(tok_challenge_param error)" insufficient_scope
	assert_equal "$(tok_challenge_param scope)" repository:alice/b:pull
	push_with "$t" alice/b
	assert_error 401 UNAUTHORIZED
	# Names that only look alike.
	push_with "$(good -g repository:alice/b/x:pull,push)" alice/b
	assert_status 401
	push_with "$(good -g 'repository:alice/*:pull,push')" alice/b
	assert_status 401
	push_with "$(good -g 'repository:alice/b:PUSH,PULL')" alice/b
	assert_status 401
	push_with "$(good -g 'registry:alice/b:pull,push')" alice/b
	assert_status 401
	assert_equal "$before" "$(store_snapshot)"
}

@test "attack: a mount from a repository the token does not grant pull on falls back to a 202 upload" {
	local f=$BATS_TEST_TMPDIR/shared.bin d t
	random_file "$f" 500
	d=$(digest_of "$f")
	local keep=$BERTH_CONFIG
	BERTH_CONFIG=$BATS_TEST_TMPDIR/open.ini
	printf '[storage]\npath = %s\n[log]\nlevel = warn\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	push_blob bob/secret "$f" >/dev/null
	BERTH_CONFIG=$keep
	t=$(good -g repository:alice/app:pull,push)
	reg_cgi POST "/v2/alice/app/blobs/uploads/?mount=$d&from=bob/secret" -H "$(bearer "$t")"
	assert_status 202
	assert_header Location '^/v2/alice/app/blobs/uploads/[^/]+$'
	assert [ ! -e "$BERTH_STORE/repositories/alice/app/_layers/sha256/${d#sha256:}" ]
	reg_cgi HEAD "/v2/alice/app/blobs/$d" -H "$(bearer "$t")"
	assert_status 404
	# With pull on bob/secret in the token the mount works.
	t=$(good -g repository:alice/app:pull,push -g repository:bob/secret:pull)
	reg_cgi POST "/v2/alice/app/blobs/uploads/?mount=$d&from=bob/secret" -H "$(bearer "$t")"
	assert_status 201
}

@test "attack: malformed base64, parts and JSON are refused" {
	local t h c s hdr
	t=$(good)
	IFS=. read -r h c s <<<"$t"
	hdr=$(tok_header EdDSA "$K/EdDSA/key.pem")
	assert_refused "$h.$c" 'parts'
	assert_refused "$h.$c.$s.$s" 'parts'
	assert_refused "$h==.$c.$s" 'base64'
	assert_refused "$h.$c.$s=" 'base64'
	assert_refused "${h}*.$c.$s" 'base64'
	# Standard base64 characters instead of base64url.
	assert_refused "$(printf '%s' "$h" | tr -- '-_' '+/').$c.$s+/" 'base64'
	assert_refused "$h.$c!.$s" 'base64'
	assert_refused "..." 'parts|empty'
	assert_refused "$t "$'\x01' 'base64'
	# Validly signed but not JSON objects.
	local bad
	for bad in '{"iss":' '["not","an","object"]' 'null' '{"iss":"a","iss":"b"}' \
		"$(printf '{"iss":"%s","x":"\\u0000"}' "$TOK_ISS")" ''; do
		assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" "$hdr" "$bad")" 'JSON|object|duplicate|NUL|empty'
	done
	assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" '{"alg":"EdDSA",' "$(tok_claims -g repository:alice/app:pull,push)")" 'JSON'
	# Claims of the wrong types.
	assert_refused "$(good -x '{"exp":"9999999999"}')" 'exp'
	assert_refused "$(good -x '{"access":"repository:alice/app:push"}')" 'access'
	assert_refused "$(tok_sign EdDSA "$K/EdDSA/key.pem" "$(tok_header EdDSA "$K/EdDSA/key.pem" '{"crit":["exp"]}')" "$(tok_claims -g repository:alice/app:pull,push)")" 'crit'
}

@test "attack: an oversized token (> 8 KiB, validly signed) and an oversized Authorization header are refused" {
	local pad t
	pad=$(head -c 6000 /dev/zero | tr '\0' a)
	t=$(good -x "{\"pad\":\"$pad\"}")
	[ "${#t}" -gt 8192 ] || fail "token is only ${#t} bytes"
	assert_refused "$t" '8192|long|bytes'
	# Just under the limit the same kind of token is fine.
	pad=$(head -c 5000 /dev/zero | tr '\0' a)
	t=$(good -x "{\"pad\":\"$pad\"}")
	[ "${#t}" -le 8192 ] || fail "token is ${#t} bytes"
	assert_accepted "$t"
	# A 64 KiB header.
	local big
	big=$(head -c 65536 /dev/zero | tr '\0' A)
	assert_refused "$big" '8192|long|bytes'
	local before
	before=$(store_snapshot)
	push_with "$(good).$big" alice/app
	assert_status 401
	reg_cgi GET /v2/ -H "Authorization: Bearer $big"
	assert_status 401
	assert_equal "$before" "$(store_snapshot)"
}

@test "EdDSA: accepted when configured, refused when not in [token] algorithms" {
	local t
	t=$(tok_make EdDSA "$K/EdDSA/key.pem" -g repository:alice/app:pull,push)
	token_config token.keys="$K/EdDSA/cert.pem" token.algorithms=EdDSA
	assert_accepted "$t"
	token_config token.keys="$K/EdDSA/cert.pem" token.algorithms='ES256, RS256'
	assert_refused "$t" 'alg'
}

@test "ES256 (JOSE raw R||S signature): accepted when configured, refused when not in [token] algorithms" {
	local t
	t=$(tok_make ES256 "$K/ES256/key.pem" -g repository:alice/app:pull,push)
	[ "$(tok_part "$t" 2 | wc -c)" = 64 ] || fail "not a 64-byte signature"
	token_config token.keys="$K/ES256/cert.pem" token.algorithms=ES256
	assert_accepted "$t"
	token_config token.keys="$K/ES256/cert.pem" token.algorithms='EdDSA, RS256'
	assert_refused "$t" 'alg'
	# A DER (ASN.1) ECDSA signature is not JOSE and is refused.
	local h c der
	IFS=. read -r h c _ <<<"$t"
	printf '%s.%s' "$h" "$c" >"$BATS_TEST_TMPDIR/in"
	der=$(openssl dgst -sha256 -sign "$K/ES256/key.pem" -binary "$BATS_TEST_TMPDIR/in" | b64url)
	token_config token.keys="$K/ES256/cert.pem" token.algorithms=ES256
	assert_refused "$h.$c.$der" '64 bytes|signature'
}

@test "RS256: accepted when configured, refused when not in [token] algorithms" {
	local t
	t=$(tok_make RS256 "$K/RS256/key.pem" -g repository:alice/app:pull,push)
	token_config token.keys="$K/RS256/cert.pem" token.algorithms=RS256
	assert_accepted "$t"
	token_config token.keys="$K/RS256/cert.pem" token.algorithms='EdDSA, ES256'
	assert_refused "$t" 'alg'
	# A key of one algorithm never checks a token claiming another.
	token_config token.keys="$K/RS256/cert.pem" token.algorithms='EdDSA, ES256, RS256'
	local c
	c=$(tok_claims -g repository:alice/app:pull,push)
	assert_refused "$(tok_sign RS256 "$K/RS256/key.pem" "{\"alg\":\"ES256\",\"kid\":\"$(tok_thumbprint "$K/RS256/cert.pem")\"}" "$c")" 'alg'
}

@test "HS256: accepted when configured, refused when not in [token] algorithms" {
	local t
	t=$(tok_make HS256 "$K/hmac.secret" -g repository:alice/app:pull,push)
	token_config token.keys= token.hmac_secret_file="$K/hmac.secret" token.algorithms=HS256
	assert_accepted "$t"
	token_config token.keys="$K/EdDSA/cert.pem" token.hmac_secret_file="$K/hmac.secret" \
		token.algorithms='EdDSA, ES256, RS256'
	assert_refused "$t" 'alg'
	# Another secret of the same kid is refused.
	head -c 40 /dev/urandom | base64 -w0 >"$BATS_TEST_TMPDIR/other.secret"
	token_config token.keys= token.hmac_secret_file="$K/hmac.secret" token.algorithms=HS256
	assert_refused "$(tok_make HS256 "$BATS_TEST_TMPDIR/other.secret" -g repository:alice/app:pull,push)" 'signature'
}
