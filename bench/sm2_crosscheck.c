/* SPDX-License-Identifier: MIT */
/*
 * sm2_crosscheck [COUNT [SEED]]: sm2verify.c against OpenSSL's EVP SM2 on COUNT
 * (default 1,000,000) random values, valid and broken (bench/sm2_cases.c). Prints
 * the tally per kind; exits 0 only when both sides agreed on every value, every
 * valid value verified and no broken one did.
 *
 *   make -C build sm2-crosscheck && build/bench/sm2_crosscheck 1000000
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sm2_cases.h"

int
main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000UL;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : (uint64_t)time(NULL);
	struct sm2_tally t;
	int i, ok = sm2_crosscheck(count, seed, &t, stderr);

	printf("sm2_crosscheck: seed %" PRIu64 ", %lu keys\n", seed, t.keys);
	printf("%-12s %10s %10s\n", "kind", "checked", "EVP valid");
	for (i = 0; i < SM2_KINDS; i++)
		printf("%-12s %10lu %10lu\n", sm2_kind_name((enum sm2_kind)i), t.kind[i], t.accepted[i]);
	printf("checked %lu, disagreements %lu, valid refused %lu, broken accepted %lu, "
	       "keys declined %lu, CPU %.1f s\n", t.checked, t.disagree, t.valid_refused,
	       t.invalid_accepted, t.no_fast, (double)clock() / CLOCKS_PER_SEC);
	ok = ok && t.checked >= count && t.disagree == 0 && t.valid_refused == 0 &&
	     t.invalid_accepted == 0 && t.no_fast == 0;
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
