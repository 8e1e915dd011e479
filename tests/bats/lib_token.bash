# lib_token.bash: helpers for the token tests (62-token-cgi .. 64-token-interop)
# shellcheck shell=bash
#
# Load after helpers.bash.  Tokens are made here without berth's code, with
# openssl, perl and jq, so that the registry is checked against the JOSE
# specs rather than against itself:
#   tok_sign ALG KEY HEADER CLAIMS   a compact JWS over any header and claims
#   tok_claims [options]             claims JSON (iss, aud, sub, exp, access)
#   tok_make ALG KEY [options]       tok_claims signed with a standard header
#   tok_thumbprint PEM               RFC 7638 thumbprint of a key or cert
# KEY is a PEM private key (EdDSA, ES256, RS256) or, for HS256, a file
# holding the shared secret.

# Issuer and service of the test configs.
TOK_ISS=berth-test-issuer
TOK_SERVICE=registry.test

# b64url: base64url of stdin, without padding.
b64url() {
	basenc --base64url -w0 | tr -d '='
}

# b64url_decode: stdin base64url (unpadded) to bytes on stdout.
b64url_decode() {
	local s
	s=$(tr -- '-_' '+/')
	while [ $((${#s} % 4)) -ne 0 ]; do s+='='; done
	printf '%s' "$s" | base64 -d
}

# tok_part TOKEN N: part N (0 header, 1 claims, 2 signature) of a token,
# decoded (header and claims are JSON).
tok_part() {
	local t=$1
	local -a p
	IFS=. read -r -a p <<<"$t"
	printf '%s' "${p[$2]}" | b64url_decode
}

# _tok_raw_sig ALG KEY INPUTFILE: the JOSE signature bytes of INPUTFILE.
_tok_raw_sig() {
	local alg=$1 key=$2 in=$3 hex
	case "$alg" in
	RS256)
		openssl dgst -sha256 -sign "$key" -binary "$in"
		;;
	ES256)
		# openssl gives DER (SEQUENCE of two INTEGERs); JOSE wants the
		# two 32-byte big-endian numbers R||S.
		openssl dgst -sha256 -sign "$key" -binary "$in" | perl -e '
			local $/; my $d = <STDIN>; my $p = 2;
			$p++ if ord(substr($d, 1, 1)) & 0x80;
			my $out = "";
			for (1 .. 2) {
				die "not an INTEGER\n" unless ord(substr($d, $p, 1)) == 2;
				my $l = ord(substr($d, $p + 1, 1));
				my $v = substr($d, $p + 2, $l);
				$v =~ s/^\x00+//;
				$out .= ("\x00" x (32 - length $v)) . $v;
				$p += 2 + $l;
			}
			binmode STDOUT; print $out;'
		;;
	EdDSA)
		openssl pkeyutl -sign -inkey "$key" -rawin -in "$in"
		;;
	HS256)
		hex=$(od -An -v -tx1 "$key" | tr -d ' \n')
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hex" -binary "$in"
		;;
	*)
		echo "tok_sign: unknown alg $alg" >&2
		return 1
		;;
	esac
}

# tok_sign ALG KEY HEADER_JSON CLAIMS_JSON: print a compact token.  The
# JSON texts are used byte for byte (so malformed ones can be signed too).
tok_sign() {
	local alg=$1 key=$2 header=$3 claims=$4 input sig
	local f=${BATS_TEST_TMPDIR:-/tmp}/tok-input.$$
	input="$(printf '%s' "$header" | b64url).$(printf '%s' "$claims" | b64url)"
	printf '%s' "$input" >"$f"
	sig=$(_tok_raw_sig "$alg" "$key" "$f" | b64url) || return 1
	rm -f "$f"
	[ -n "$sig" ] || return 1
	printf '%s.%s' "$input" "$sig"
}

# _tok_spki_der PEM: the DER SubjectPublicKeyInfo of a private key, a
# public key or a certificate.
_tok_spki_der() {
	local pem=$1
	if grep -q 'BEGIN CERTIFICATE' "$pem"; then
		openssl x509 -in "$pem" -noout -pubkey | openssl pkey -pubin -outform DER
	elif grep -q 'BEGIN PUBLIC KEY' "$pem"; then
		openssl pkey -pubin -in "$pem" -outform DER
	else
		openssl pkey -in "$pem" -pubout -outform DER
	fi
}

# tok_jwk PEM: the public JWK of a key or certificate, members in RFC 7638
# order and nothing else (so its sha256 is the thumbprint).
tok_jwk() {
	local pem=$1 der x y n
	der=${BATS_TEST_TMPDIR:-/tmp}/tok-spki.$$
	_tok_spki_der "$pem" >"$der" || return 1
	case "$(stat -c %s "$der")" in
	44) # Ed25519: 12-byte prefix + 32-byte key
		x=$(tail -c 32 "$der" | b64url)
		printf '{"crv":"Ed25519","kty":"OKP","x":"%s"}' "$x"
		;;
	91) # P-256: 26-byte prefix + 04 + X + Y
		x=$(tail -c 64 "$der" | head -c 32 | b64url)
		y=$(tail -c 32 "$der" | b64url)
		printf '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' "$x" "$y"
		;;
	*) # RSA (the tests use e = 65537)
		n=$(openssl rsa -pubin -inform DER -in "$der" -noout -modulus 2>/dev/null |
			sed 's/^Modulus=//' | perl -ne 'chomp; binmode STDOUT; print pack("H*", $_)' | b64url)
		printf '{"e":"AQAB","kty":"RSA","n":"%s"}' "$n"
		;;
	esac
	rm -f "$der"
}

# tok_thumbprint PEM: the RFC 7638 thumbprint (43 characters).  With
# TOK_CACHE_DIR set, results are kept there (keys do not change in a run).
tok_thumbprint() {
	local c=
	if [ -n "${TOK_CACHE_DIR:-}" ]; then
		c=$TOK_CACHE_DIR/thumb.$(printf '%s' "$1" | tr -c 'A-Za-z0-9' _)
		[ -s "$c" ] && { cat "$c"; return 0; }
	fi
	if [ -n "$c" ]; then
		tok_jwk "$1" | openssl dgst -sha256 -binary | b64url >"$c.$$" &&
			mv "$c.$$" "$c" && cat "$c"
	else
		tok_jwk "$1" | openssl dgst -sha256 -binary | b64url
	fi
}

# tok_claims [options]: claims JSON.  Defaults: iss $TOK_ISS, aud
# $TOK_SERVICE, sub alice, iat and nbf now, exp now + 300, no access.
#   -i ISS  -a AUD  -s SUB (empty: no sub)
#   -e SECONDS  exp relative to now (negative: in the past)
#   -n SECONDS  nbf relative to now    -t SECONDS  iat relative to now
#   -g TYPE:NAME:ACTIONS  an access entry (repeatable)
#   -x JSON  merge this object into the claims last
tok_claims() {
	local iss=$TOK_ISS aud=$TOK_SERVICE sub=alice exp=300 nbf=0 iat=0 extra='{}'
	local now
	local -a grants=()
	now=$(date +%s)
	while [ $# -gt 0 ]; do
		case "$1" in
		-i) iss=$2 ;;
		-a) aud=$2 ;;
		-s) sub=$2 ;;
		-e) exp=$2 ;;
		-n) nbf=$2 ;;
		-t) iat=$2 ;;
		-g) grants+=("$2") ;;
		-x) extra=$2 ;;
		*) echo "tok_claims: unknown option $1" >&2; return 2 ;;
		esac
		shift 2
	done
	# TYPE:NAME:ACTIONS splits at the first and the last colon.
	jq -c -n --arg iss "$iss" --arg aud "$aud" --arg sub "$sub" \
		--argjson exp $((now + exp)) --argjson nbf $((now + nbf)) \
		--argjson iat $((now + iat)) --argjson extra "$extra" \
		'{iss: $iss, aud: $aud, exp: $exp, nbf: $nbf, iat: $iat,
		  jti: "t\($exp)\($iat)",
		  access: [$ARGS.positional[] |
			capture("^(?<type>[^:]*):(?<name>.*):(?<actions>[^:]*)$") |
			{type, name, actions: (.actions | split(",") | map(select(. != "")))}]}
		 + (if $sub == "" then {} else {sub: $sub} end) + $extra' \
		--args "${grants[@]}"
}

# tok_header ALG KEY [JSON]: the usual header {"typ","alg","kid"} with the
# key's thumbprint as kid (berth-hs256 for HS256), merged with JSON.
tok_header() {
	local alg=$1 key=$2 extra=${3:-'{}'} kid
	if [ "$alg" = HS256 ]; then
		kid=berth-hs256
	else
		kid=$(tok_thumbprint "$key") || return 1
	fi
	jq -c -n --arg alg "$alg" --arg kid "$kid" --argjson extra "$extra" \
		'{typ: "JWT", alg: $alg, kid: $kid} + $extra'
}

# tok_make ALG KEY [tok_claims options]: a token as a token server makes it.
tok_make() {
	local alg=$1 key=$2 h c
	shift 2
	h=$(tok_header "$alg" "$key") || return 1
	c=$(tok_claims "$@") || return 1
	tok_sign "$alg" "$key" "$h" "$c"
}

# bearer TOKEN: the Authorization header line for -H.
bearer() {
	printf 'Authorization: Bearer %s' "$1"
}

# tok_challenge_param NAME: the value of NAME="..." in the last response's
# WWW-Authenticate header.
tok_challenge_param() {
	header WWW-Authenticate | perl -ne 'print $1 if /(?:^|[ ,])'"$1"'="([^"]*)"/'
}

# tok_ecdsa_der_from_raw: stdin R||S (64 bytes) to a DER ECDSA signature.
tok_ecdsa_der_from_raw() {
	perl -e '
		local $/; my $d = <STDIN>; die "not 64 bytes\n" unless length $d == 64;
		my $out = "";
		for my $i (0, 1) {
			my $v = substr($d, 32 * $i, 32);
			$v =~ s/^\x00+//;
			$v = "\x00" . $v if $v eq "" || ord($v) & 0x80;
			$out .= "\x02" . chr(length $v) . $v;
		}
		binmode STDOUT; print "\x30" . chr(length $out) . $out;'
}

# tok_verify_openssl TOKEN PUBPEM ALG: verify a token's signature with
# openssl alone (EdDSA, ES256 as raw R||S, RS256).
tok_verify_openssl() {
	local t=$1 pem=$2 alg=$3 d=${BATS_TEST_TMPDIR:-/tmp}/tokv.$$
	local -a p
	IFS=. read -r -a p <<<"$t"
	printf '%s.%s' "${p[0]}" "${p[1]}" >"$d.in"
	printf '%s' "${p[2]}" | b64url_decode >"$d.sig"
	_tok_spki_der "$pem" | openssl pkey -pubin -inform DER -out "$d.pub" || return 1
	case "$alg" in
	EdDSA)
		[ "$(stat -c %s "$d.sig")" = 64 ] || { echo "EdDSA signature is not 64 bytes" >&2; return 1; }
		openssl pkeyutl -verify -pubin -inkey "$d.pub" -rawin -in "$d.in" -sigfile "$d.sig"
		;;
	ES256)
		[ "$(stat -c %s "$d.sig")" = 64 ] || { echo "ES256 signature is not raw R||S (64 bytes)" >&2; return 1; }
		tok_ecdsa_der_from_raw <"$d.sig" >"$d.der" &&
			openssl dgst -sha256 -verify "$d.pub" -signature "$d.der" "$d.in"
		;;
	RS256)
		openssl dgst -sha256 -verify "$d.pub" -signature "$d.sig" "$d.in"
		;;
	esac
}

# tok_cgi [-e NAME=VALUE]... METHOD PATH [reg_cgi options]: reg_cgi with
# extra CGI variables (later ones win over reg_cgi's own, e.g.
# -e REMOTE_ADDR=192.0.2.7 or -e HTTPS=on), for every program including
# berth-token.  The program runs through a small wrapper, since reg_cgi
# starts it with env -i.
tok_cgi() {
	local -a extra=()
	while [ "${1:-}" = -e ]; do
		extra+=("$2")
		shift 2
	done
	local wrap=$BATS_TEST_TMPDIR/tok-wrap.$$ p
	mkdir -p "$wrap/cgi-bin"
	for p in berth-blobs berth-manifests berth-catalog berth-token; do
		{
			printf '#!/bin/bash\nexec env'
			printf ' %q' "${extra[@]}" "$BERTH_BUILDDIR/cgi-bin/$p"
			printf ' "$@"\n'
		} >"$wrap/cgi-bin/$p"
		chmod +x "$wrap/cgi-bin/$p"
	done
	BERTH_BUILDDIR=$wrap reg_cgi "$@"
}
