#!/usr/bin/env bats
# 50-catalog.bats: GET /v2/ and GET /v2/_catalog
#
# The catalog is shared by every test that runs against the same registry,
# so these tests only make claims about their own repositories and about
# order, never about the whole list.

load helpers
load lib_manifests

# Three repositories under one unique prefix, pushed out of order: sets
# BASE (itself a valid name that sorts just before them) and R1 R2 R3.
three_repos() {
	BASE=$(new_repo)
	R1=$BASE/a R2=$BASE/b R3=$BASE/c
	make_image "$R3" v1 || return 1
	make_image "$R1" v1 || return 1
	make_image "$R1" v2 || return 1
	make_image "$R2" v1
}

# walk_catalog FIRST_URL MAX_PAGES: follow rel="next" Links from FIRST_URL,
# appending every repository to the file $ALL; each page must be a 200
# with a JSON list and, when it has a Link, not be empty.
walk_catalog() {
	local next=$1 pages=0
	ALL=$(tmp_file catalog)
	: >"$ALL"
	while [ -n "$next" ]; do
		[ "$pages" -lt "$2" ] || { fail "catalog still has a next page after $2 pages"; return; }
		reg GET "$next"
		assert_status 200
		assert_json '.repositories | type == "array"'
		jq -r '.repositories[]' "$REG_BODY_FILE" >>"$ALL"
		next=$(link_next)
		[ -z "$next" ] || assert_json '.repositories | length >= 1'
		pages=$((pages + 1))
	done
}

@test "GET /v2/ is 200 with the API version header and a JSON body" {
	reg GET /v2/
	assert_status 200
	assert_header Docker-Distribution-API-Version '^registry/2\.0$'
	assert_header Content-Type '^application/json'
	assert_json 'type == "object"'
}

@test "HEAD /v2/ is 200 with the API version header" {
	reg HEAD /v2/
	assert_status 200
	assert_header Docker-Distribution-API-Version '^registry/2\.0$'
}

@test "the catalog is a sorted JSON list" {
	three_repos
	reg GET /v2/_catalog
	assert_status 200
	assert_header Content-Type '^application/json'
	assert_json '.repositories | type == "array"'
	assert_json '.repositories | . == (unique)'
}

@test "walking the whole catalog lists each pushed repository once, in order" {
	three_repos
	walk_catalog /v2/_catalog 1000
	# Strictly ascending overall, so no repository appears twice.
	[ "$(LC_ALL=C sort -u "$ALL")" = "$(cat "$ALL")" ] ||
		fail "catalog is not strictly ascending: $(cat "$ALL")"
	assert_equal "$(grep -F "$BASE/" "$ALL" | paste -sd,)" "$R1,$R2,$R3"
}

@test "n limits the catalog page and a Link points to the next one" {
	three_repos
	reg GET "/v2/_catalog?n=1&last=$BASE"
	assert_status 200
	assert_json ".repositories == [\"$R1\"]"
	assert_next_link 1 "$R1"
}

@test "n and last page through the catalog in order" {
	three_repos
	reg GET "/v2/_catalog?n=2&last=$BASE"
	assert_status 200
	assert_json ".repositories == [\"$R1\", \"$R2\"]"
	assert_next_link 2 "$R2"
	reg GET "$(link_next)"
	assert_status 200
	assert_json ".repositories[0] == \"$R3\""
	assert_json '.repositories | length <= 2'
}

@test "last alone lists the repositories after it" {
	three_repos
	reg GET "/v2/_catalog?last=$R1"
	assert_status 200
	assert_json ".repositories[0:2] == [\"$R2\", \"$R3\"]"
}

@test "a catalog n that is not a number is 400 PAGINATION_NUMBER_INVALID" {
	reg GET "/v2/_catalog?n=abc"
	assert_error 400 PAGINATION_NUMBER_INVALID
}

@test "an unknown path under /v2/ is 404 with an error body" {
	reg GET /v2/nothing-here
	assert_status 404
	assert_json '.errors | length >= 1'
	assert_json '.errors[0].code | test("^[A-Z_]+$")'
}

# The filesystem driver keeps the catalog's sorted names in ._catalog.names
# once the index directory is large and quiet (lib/names.h); a listing
# must still be exact right after a repository is added.
@test "a large catalog stays exact while its listing cache is made and outdated" {
	[ "${BERTH_DRIVER:-filesystem}" = filesystem ] ||
		skip "the listing cache is the filesystem driver's (S3 lists by page)"
	BASE=$(new_repo)
	index=$(tmp_file index)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}' >"$index"
	want=$(tmp_file want)
	for i in $(seq -w 0 129); do
		reg PUT "/v2/$BASE/a$i/manifests/v1" -f "$index" \
			-H "Content-Type: application/vnd.oci.image.index.v1+json"
		[ "$REG_STATUS" = 201 ] || { fail "PUT $BASE/a$i: $REG_STATUS"; return; }
		printf '%s/a%s\n' "$BASE" "$i"
	done >"$want"
	reg GET "/v2/_catalog?n=130&last=$BASE"
	assert_status 200
	assert_equal "$(jq -r '.repositories[]' "$REG_BODY_FILE")" "$(cat "$want")"
	sleep 2.2
	reg GET "/v2/_catalog?n=130&last=$BASE"
	assert_status 200
	assert_equal "$(jq -r '.repositories[]' "$REG_BODY_FILE")" "$(cat "$want")"
	assert_equal "$(head -c 14 "$(store_root)/._catalog.names")" \
		"berth-names 1 "
	reg GET "/v2/_catalog?n=2&last=$BASE/a073"
	assert_json ".repositories == [\"$BASE/a074\", \"$BASE/a075\"]"

	reg PUT "/v2/$BASE/a0745/manifests/v1" -f "$index" \
		-H "Content-Type: application/vnd.oci.image.index.v1+json"
	assert_status 201
	reg GET "/v2/_catalog?n=3&last=$BASE/a073"
	assert_status 200
	assert_json ".repositories == [\"$BASE/a074\", \"$BASE/a0745\", \"$BASE/a075\"]"
}
