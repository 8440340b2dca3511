#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where cebgated's CPU time goes, per phase of a submission, from a perf profile.

    perf script -F tid,ip,sym,dso -i perf.data | service_phases.py [CPU_US_PER_MSG]

Each sample is given to the innermost phase function found on its call stack
(walking from the leaf to the root); the table gives each phase's share of the
samples and, when the CPU microseconds per message of a run without perf are
given, that share of them. Inlined frames count (perf prints them).
"""
import collections
import sys

# (phase, functions): the first phase with a function on the stack, leaf first, wins.
PHASES = [
    ("signature: public-key operation (SM2/RSA verify)",
     {"EVP_DigestVerifyFinal", "EVP_DigestVerify", "EVP_DigestVerifyInit", "EVP_DigestVerifyUpdate",
      "cg__sm2_verify", "EVP_PKEY_verify", "EVP_DigestVerifyInit_ex"}),
    ("signature: registered certificate (cache)", {"registered_cert"}),
    ("signature: C14N and digests", {"check_digest", "digest_of", "cg__c14n_document", "cg__c14n_subtree",
                                     "xmlC14NExecute", "xmlC14NDocSaveTo"}),
    ("signature: shape checks, other", {"cg__sig_verify_doc", "verify_signature", "keyname_of"}),
    ("parse (safe libxml2 parse)", {"cg__xml_parse"}),
    ("XSD validation", {"cg__schemas_validate"}),
    ("model and business rules", {"cg__validate_doc"}),
    ("SQLite BEGIN IMMEDIATE / COMMIT (WAL, sync, checkpoint)", {"cg__store_tx"}),
    ("clearance: matching attempt and state", {"evaluate", "cg__clearance_after", "cg__clearance_sweep"}),
    ("receipt XML", {"cg__receipt_build"}),
    ("document JSON + UPDATE", {"store_doc_data", "doc_json"}),
    ("idempotency lookup (guid)", {"check_resubmission", "cg__store_message_find"}),
    ("SQLite INSERTs (message, document, receipt), result JSON",
     {"commit_message", "write_docs", "decide", "cg__store_message_add", "cg__store_receipt_add",
      "cg__store_document_put", "cg__store_message_result"}),
    ("token check (SHA-256 + SELECT)", {"cg_store_auth_token", "authenticate"}),
    ("answer JSON, frees, other of the service", {"cg_service_submit", "submit_one", "process", "answer"}),
    ("cebgated HTTP handler (body copy, log line, reply)",
     {"dispatch", "on_request", "on_completed", "reply", "reply_json", "route_submissions"}),
]
OTHER_HTTP = "libmicrohttpd, kernel TCP/epoll, libc outside a handler"


def phase_of(frames):
    for f in frames:
        for name, funcs in PHASES:
            if f in funcs:
                return name
    return OTHER_HTTP


def main():
    cpu_us = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    counts = collections.Counter()
    frames = []
    total = 0

    def flush():
        nonlocal total
        if frames:
            counts[phase_of(frames)] += 1
            total += 1
        frames.clear()

    for line in sys.stdin:
        s = line.strip()
        if not s:
            flush()
            continue
        if not line.startswith(("\t", " ")):
            flush()  # a sample header (tid)
            continue
        parts = s.split(None, 1)
        if len(parts) == 2:
            sym = parts[1].rsplit(" (", 1)[0]
            sym = sym.split("+0x")[0].replace(" (inlined)", "")
            frames.append(sym)
    flush()
    order = [p for p, _ in PHASES] + [OTHER_HTTP]
    print("%-60s %8s %7s %s" % ("phase", "samples", "share", "CPU us/msg" if cpu_us else ""))
    for p in order:
        if counts[p]:
            share = counts[p] / total
            print("%-60s %8d %6.1f%% %s" % (p, counts[p], 100 * share, "%.0f" % (share * cpu_us) if cpu_us else ""))
    print("%-60s %8d %6.1f%% %s" % ("total", total, 100.0, "%.0f" % cpu_us if cpu_us else ""))


if __name__ == "__main__":
    main()
