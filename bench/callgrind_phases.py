#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instructions per message of each phase of a submission, from a callgrind output.

    callgrind_phases.py CALLGRIND_OUT MESSAGES

Instruction counts do not depend on the machine's load, so two builds can be
compared on a busy machine. Each function's own instructions go to the phase
of its nearest phase function up the call graph: a function called from
several places is split between its callers in proportion to the
instructions each call cost (callgrind records the inclusive cost of every
call arc), recursively; what no phase function calls is "HTTP and the rest"
(libmicrohttpd, the server's handler, thread and queue handling).
"""
import collections
import re
import sys

# (phase, functions). A function belongs to the first phase that names it.
PHASES = [
    ("SM2 verification (cg__sm2_verify: Z, SM3, the EC check)", {"cg__sm2_verify", "cg__sm2key_verify", "cg__rsa_verify"}),
    ("signature: C14N, digests, shape, certificate", {"cg__sig_verify_doc"}),
    ("signature: registered certificate and its revocation",
     {"registered_cert", "cg__store_cert_revoked", "cg__store_cert", "keyname_of"}),
    ("parse (safe libxml2 parse)", {"cg__xml_parse", "cg__xml_parse_keep"}),
    ("XSD validation", {"cg__schemas_validate"}),
    ("model and business rules", {"cg__validate_doc"}),
    ("receipt XML", {"cg__receipt_build"}),
    ("clearance: matching, state (inventory JSON read back)", {"cg__clearance_after"}),
    ("JSON: answer, result, findings",
     {"json_dumps", "json_dumpb", "json_loads", "json_loadb", "json_pack", "json_object_set_new_nocheck",
      "json_object_set_new", "json_decref", "json_delete", "cg__json_text", "json_array_append_new",
      "json_string", "json_object"}),
    ("SQLite: BEGIN / COMMIT, receipts numbered at commit (per group)",
     {"cg_db_begin", "cg_db_commit", "cg_db_rollback"}),
    ("SQLite: statements of the write (guid, message, document, receipt, savepoints)",
     {"write_message", "write_group", "cg__store_message_find", "cg__store_message_add",
      "cg__store_document_put", "cg__store_document_find", "cg__store_receipt_add",
      "cg__store_message_result", "store_doc_data"}),
    ("token check (SHA-256 + SELECT)", {"srv_web_principal", "cg_store_auth_token"}),
    ("metrics: the answer read back per message type", {"srv_observe_submission"}),
    ("DxpMsg check, SHA-256 of the body, answer", {"cg_service_submit", "submit_one", "cg__digest"}),
]
# Once a second whatever the load (the match-timeout sweep of cebgated's main
# loop): its cost follows the run's duration, which callgrind stretches; left out.
SWEEP = ("match-timeout sweep (once a second; left out of the total)", {"cg_service_sweep"})
PHASES.append(SWEEP)
OTHER = "HTTP and the rest (libmicrohttpd, handler, threads, queues, kernel entry)"


def norm(name):
    name = re.sub(r"'\d+$", "", name)  # callgrind's recursion suffix
    return name.split("(")[0].strip()


def parse(path):
    """Self cost per function, and inclusive cost per (caller, callee) arc."""
    names = {}
    self_cost = collections.Counter()
    arcs = collections.Counter()
    fn = None
    cfn = None
    pending_call = False
    events_index = 0
    with open(path, errors="replace") as fp:
        for line in fp:
            line = line.rstrip("\n")
            if line.startswith("events:"):
                events_index = line.split()[1:].index("Ir")
                continue
            m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
            if m:
                key, ident, name = m.groups()
                if name is not None:
                    names[ident] = norm(name)
                if key == "fn":
                    fn = names[ident]
                else:
                    cfn = names[ident]
                continue
            if line.startswith("calls="):
                pending_call = True
                continue
            if line and (line[0].isdigit() or line[0] in "+-*"):
                parts = line.split()
                cost = int(parts[1 + events_index]) if len(parts) > 1 + events_index else 0
                if pending_call:
                    arcs[(fn, cfn)] += cost
                    pending_call = False
                else:
                    self_cost[fn] += cost
    return self_cost, arcs


def attribute(self_cost, arcs, rounds=200):
    """Instructions per phase: each function's distribution over the phases is
    that of its callers weighted by the cost of their calls, found by
    iterating to a fixed point (call cycles included); the roots are OTHER."""
    phase_of = {}
    for phase, funcs in PHASES:
        for f in funcs:
            phase_of.setdefault(f, phase)
    callers = collections.defaultdict(list)
    for (a, b), c in arcs.items():
        if a != b and c > 0:
            callers[b].append((a, c))
    funcs = set(self_cost) | set(callers)
    dist = {}
    for f in funcs:
        dist[f] = {phase_of[f]: 1.0} if f in phase_of else {OTHER: 1.0}
    order = [f for f in funcs if f not in phase_of and callers.get(f)]
    for _ in range(rounds):
        changed = 0.0
        for f in order:
            total = sum(c for _, c in callers[f])
            d = collections.Counter()
            for a, c in callers[f]:
                for p, w in dist.get(a, {OTHER: 1.0}).items():
                    d[p] += w * c / total
            old = dist[f]
            changed = max(changed, max(abs(d.get(k, 0) - old.get(k, 0)) for k in set(d) | set(old)))
            dist[f] = dict(d)
        if changed < 1e-6:
            break
    out = collections.Counter()
    for f, c in self_cost.items():
        for p, w in dist.get(f, {OTHER: 1.0}).items():
            out[p] += c * w
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = int(sys.argv[2])
    self_cost, arcs = parse(sys.argv[1])
    out = attribute(self_cost, arcs)
    sweep = out.pop(SWEEP[0], 0)
    total = sum(out.values())
    sm2 = out.get(PHASES[0][0], 0)
    print("| phase | instructions per message | share |")
    print("|---|---:|---:|")
    for phase, _ in [p for p in PHASES if p is not SWEEP] + [(OTHER, None)]:
        v = out.get(phase, 0)
        print("| %s | %s | %.1f %% |" % (phase, format(int(v / n), ","), 100.0 * v / total if total else 0))
    print("| **total** | **%s** | 100 %% |" % format(int(total / n), ","))
    print("| everything but the SM2 verification, per verification | %.2f | |" %
          ((total - sm2) / sm2 if sm2 else 0))
    print("\n%s: %s instructions in all" % (SWEEP[0], format(int(sweep), ",")))


if __name__ == "__main__":
    main()
