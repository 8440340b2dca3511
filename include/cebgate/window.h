/* SPDX-License-Identifier: MIT */
/* Umbrella header of the single window's parts (cebgated's domain). */
#ifndef CG_WINDOW_H
#define CG_WINDOW_H

#include "cebgate/service.h"
#include "cebgate/session.h"
#include "cebgate/submission.h"
#include "cebgate/review.h"
#include "cebgate/status.h"
#include "cebgate/upload.h"
#include "cebgate/registry.h"
#include "cebgate/webhook.h"

#endif
