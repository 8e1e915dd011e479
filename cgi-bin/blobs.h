/* blobs.h: handlers shared by berth-blobs' two files */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_CGI_BLOBS_H
#define BERTH_CGI_BLOBS_H

#include "req.h"

int upload_post(struct reg_req *rq, struct reg_err *err);
int upload_patch(struct reg_req *rq, struct reg_err *err);
int upload_put(struct reg_req *rq, struct reg_err *err);
int upload_get(struct reg_req *rq, struct reg_err *err);
int upload_delete(struct reg_req *rq, struct reg_err *err);

#endif
