#!/usr/bin/env bats
# 40-tags.bats: GET /v2/<name>/tags/list, with n/last pagination

load helpers
load lib_manifests

# tag_image REPO TAG...: push one image and give it every TAG.
tag_image() {
	local repo=$1 t
	shift
	make_image "$repo" || return 1
	for t in "$@"; do
		push_manifest "$repo" "$t" "$IMG_MANIFEST" || return 1
	done
}

tags_list() {
	reg GET "/v2/$1/tags/list${2:+?$2}"
}

@test "tags/list gives the repository name and its tags in lexical order" {
	repo=$(new_repo)
	tag_image "$repo" v2 latest 1.0-rc1 v10 a.b 1.0
	tags_list "$repo"
	assert_status 200
	assert_header Content-Type '^application/json'
	assert_json ".name == \"$repo\""
	assert_json '.tags == ["1.0", "1.0-rc1", "a.b", "latest", "v10", "v2"]'
	refute_header Link
}

@test "a manifest pushed only by digest adds no tag" {
	repo=$(new_repo)
	tag_image "$repo" a
	make_image "$repo"
	tags_list "$repo"
	assert_status 200
	assert_json '.tags == ["a"]'
}

@test "a tag moved to another manifest is listed once" {
	repo=$(new_repo)
	tag_image "$repo" latest stable
	make_image "$repo" latest
	tags_list "$repo"
	assert_status 200
	assert_json '.tags == ["latest", "stable"]'
}

@test "n limits the page and a Link points to the next one" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" n=2
	assert_status 200
	assert_json '.tags == ["1.0", "1.1"]'
	assert_next_link 2 1.1
}

@test "following the Link gives the next page" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" n=2
	next=$(link_next)
	[[ "$next" == "/v2/$repo/tags/list?"* ]]
	reg GET "$next"
	assert_status 200
	assert_json ".name == \"$repo\""
	assert_json '.tags == ["2.0", "latest"]'
	assert_next_link 2 latest
}

@test "n and last give the tags after last" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" 'n=2&last=1.1'
	assert_status 200
	assert_json '.tags == ["2.0", "latest"]'
	assert_next_link 2 latest
}

@test "the last page has no Link" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" 'n=2&last=latest'
	assert_status 200
	assert_json '.tags == ["v1"]'
	refute_header Link
}

@test "n larger than the number of tags gives them all and no Link" {
	repo=$(new_repo)
	tag_image "$repo" b a c
	tags_list "$repo" n=10
	assert_status 200
	assert_json '.tags == ["a", "b", "c"]'
	refute_header Link
}

@test "walking the Links visits every tag once, in order" {
	repo=$(new_repo)
	tag_image "$repo" t7 t3 t1 t6 t2 t5 t4
	all=$(tmp_file all)
	: >"$all"
	next="/v2/$repo/tags/list?n=3"
	pages=0
	while [ -n "$next" ] && [ "$pages" -lt 10 ]; do
		reg GET "$next"
		assert_status 200
		assert_json '.tags | length >= 1 and length <= 3'
		jq -r '.tags[]' "$REG_BODY_FILE" >>"$all"
		next=$(link_next)
		pages=$((pages + 1))
	done
	[ -z "$next" ]
	assert_equal "$(paste -sd, "$all")" t1,t2,t3,t4,t5,t6,t7
}

@test "last alone gives every tag after it" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" last=1.1
	assert_status 200
	assert_json '.tags == ["2.0", "latest", "v1"]'
}

@test "last need not be an existing tag" {
	repo=$(new_repo)
	tag_image "$repo" 1.0 1.1 2.0 latest v1
	tags_list "$repo" 'n=2&last=1.5'
	assert_status 200
	assert_json '.tags == ["2.0", "latest"]'
}

@test "n=0 gives an empty list and no Link" {
	repo=$(new_repo)
	tag_image "$repo" a b
	tags_list "$repo" n=0
	assert_status 200
	assert_json '.tags == []'
	refute_header Link
}

@test "n that is not a number is 400 PAGINATION_NUMBER_INVALID" {
	repo=$(new_repo)
	tag_image "$repo" a
	tags_list "$repo" n=abc
	assert_error 400 PAGINATION_NUMBER_INVALID
}

@test "a negative n is 400 PAGINATION_NUMBER_INVALID" {
	repo=$(new_repo)
	tag_image "$repo" a
	tags_list "$repo" n=-1
	assert_error 400 PAGINATION_NUMBER_INVALID
}

@test "tags/list of an unknown repository is 404 NAME_UNKNOWN" {
	tags_list "$(new_repo)"
	assert_error 404 NAME_UNKNOWN
}

@test "tags/list with an invalid repository name is 400 NAME_INVALID" {
	reg GET "/v2/t/Not-Lower/tags/list"
	assert_error 400 NAME_INVALID
}

@test "deleting a manifest removes its tags from the list" {
	repo=$(new_repo)
	tag_image "$repo" keep
	tag_image "$repo" gone1 gone2
	reg DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_status 202
	tags_list "$repo"
	assert_status 200
	assert_json '.tags == ["keep"]'
}

@test "deleting a tag removes only that tag from the list" {
	repo=$(new_repo)
	tag_image "$repo" a b c
	reg DELETE "/v2/$repo/manifests/b"
	assert_status 202
	tags_list "$repo"
	assert_status 200
	assert_json '.tags == ["a", "c"]'
}

# The filesystem driver keeps the sorted names of a large, quiet tags
# directory in .tags.names beside it (lib/names.h).  A listing must be the
# directory's own at every moment: right after tags are added or deleted,
# and when the file is damaged.
@test "a large tag list stays exact while its listing cache is made, outdated and damaged" {
	[ "${BERTH_DRIVER:-filesystem}" = filesystem ] ||
		skip "the listing cache is the filesystem driver's (S3 lists by page)"
	repo=$(new_repo)
	make_image "$repo"
	want=$(tmp_file want)
	for i in $(seq -w 0 129); do
		push_manifest "$repo" "t$i" "$IMG_MANIFEST"
		printf 't%s\n' "$i"
	done >"$want"
	tags_list "$repo"
	assert_status 200
	assert_equal "$(jq -r '.tags[]' "$REG_BODY_FILE")" "$(cat "$want")"
	# The cache is written only for a directory left alone for 2 s.
	sleep 2.2
	tags_list "$repo"
	assert_status 200
	assert_equal "$(jq -r '.tags[]' "$REG_BODY_FILE")" "$(cat "$want")"
	cache=$(store_root)/repositories/$repo/_manifests/.tags.names
	assert_equal "$(head -c 14 "$cache")" "berth-names 1 "
	tags_list "$repo" "n=3&last=t100"
	assert_status 200
	assert_json '.tags == ["t101", "t102", "t103"]'

	push_manifest "$repo" t0745 "$IMG_MANIFEST"
	reg DELETE "/v2/$repo/manifests/t010"
	assert_status 202
	tags_list "$repo" "n=4&last=t073"
	assert_status 200
	assert_json '.tags == ["t074", "t0745", "t075", "t076"]'
	tags_list "$repo" "n=2&last=t009"
	assert_json '.tags == ["t011", "t012"]'
	tags_list "$repo"
	assert_json '.tags | length == 130'

	sleep 2.2
	tags_list "$repo"
	grep -qx t0745 "$cache" || fail "the cache was not remade"
	# Current header, names no directory can hold: not used.
	hdr=$(head -n 1 "$cache" | awk '{ $6 = 1; $7 = 10; print }')
	printf '%s\n../secret\n' "$hdr" >"$cache"
	tags_list "$repo"
	assert_json '.tags | length == 130'
	assert_json '.tags | index("../secret") == null'
	# Damaged (torn, then a foreign header): ignored and replaced.
	head -c 100 "$cache" >"$cache.part" && mv "$cache.part" "$cache"
	tags_list "$repo"
	assert_json '.tags | length == 130'
	assert_json '.tags[0:2] == ["t000", "t001"]'
	printf 'berth-names 1 1 1 1 1 5\nzzzz\n' >"$cache"
	tags_list "$repo" "n=2&last=t128"
	assert_json '.tags == ["t129"]'
	grep -qx t129 "$cache" || fail "the damaged cache was not replaced"
}
