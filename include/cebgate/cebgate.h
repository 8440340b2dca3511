/* SPDX-License-Identifier: MIT */
/* Umbrella header of libcebgate. */
#ifndef CG_CEBGATE_H
#define CG_CEBGATE_H

#include "cebgate/common.h"
#include "cebgate/finding.h"
#include "cebgate/validate.h"
#include "cebgate/report.h"
#include "cebgate/normalize.h"
#include "cebgate/sig.h"
#include "cebgate/pay179.h"

#endif
