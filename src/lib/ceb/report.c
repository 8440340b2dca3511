/* SPDX-License-Identifier: MIT */
/* The validation report: the same findings for people (text) and machines (JSON). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/report.h"
#include "util/internal.h"

char *
cg__json_text(const json_t *o, size_t flags)
{
	char *s = o != NULL ? json_dumps(o, flags) : NULL;
	char *copy = s != NULL ? cg__strdup(s) : NULL;

	/* Copied so that the caller frees it with our allocator, whatever jansson's is. */
	free(s);
	return copy;
}

static bool
belongs(const cg_finding *x, const char *file)
{
	size_t n = strlen(file);

	return strncmp(x->source, file, n) == 0 && (x->source[n] == '\0' || x->source[n] == '#');
}

static json_t *
finding_obj(const cg_finding *x)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "code", json_string(x->code)) != 0 ||
	    json_object_set_new(o, "severity", json_string(cg_severity_name(x->severity))) != 0 ||
	    json_object_set_new(o, "source", json_string(x->source)) != 0 ||
	    json_object_set_new(o, "xpath", json_string(x->xpath)) != 0 ||
	    json_object_set_new(o, "line", json_integer((json_int_t)x->line)) != 0 ||
	    json_object_set_new(o, "column", json_integer((json_int_t)x->column)) != 0 ||
	    json_object_set_new(o, "message_zh", json_string(x->message_zh)) != 0 ||
	    json_object_set_new(o, "message_en", json_string(x->message_en)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *
cg_finding_json(const cg_finding *x)
{
	json_t *o = finding_obj(x);
	char *copy = cg__json_text(o, JSON_COMPACT);

	json_decref(o);
	return copy;
}

static json_t *
file_obj(const cg_report_file *file, const cg_findings *f, size_t *nerr)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i, errors = 0;

	if (o == NULL || arr == NULL)
		goto fail;
	for (i = 0; i < cg_findings_count(f); i++) {
		const cg_finding *x = cg_findings_get(f, i);

		if (!belongs(x, file->file))
			continue;
		errors += x->severity == CG_SEV_ERROR;
		if (json_array_append_new(arr, finding_obj(x)) != 0)
			goto fail;
	}
	if (json_object_set_new(o, "file", json_string(file->file)) != 0 ||
	    json_object_set_new(o, "type", json_string(file->type != NULL ? file->type : "")) != 0 ||
	    json_object_set_new(o, "valid", json_boolean(errors == 0 && file->error == NULL)) != 0)
		goto fail;
	if (file->error != NULL && json_object_set_new(o, "error", json_string(file->error)) != 0)
		goto fail;
	if (json_object_set_new(o, "findings", arr) != 0)
		goto fail;
	*nerr = errors;
	return o;
fail:
	json_decref(arr);
	json_decref(o);
	return NULL;
}

char *
cg_report_json(const cg_report_file *files, size_t n, const cg_findings *f)
{
	json_t *root = json_object(), *arr = json_array(), *sum = json_object();
	size_t i, invalid = 0, unreadable = 0;
	char *copy = NULL;

	if (root == NULL || arr == NULL || sum == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		size_t nerr = 0;
		json_t *o = file_obj(&files[i], f, &nerr);

		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto out;
		unreadable += files[i].error != NULL;
		invalid += nerr > 0 && files[i].error == NULL;
	}
	if (json_object_set_new(sum, "files", json_integer((json_int_t)n)) != 0 ||
	    json_object_set_new(sum, "valid",
				json_integer((json_int_t)(n - invalid - unreadable))) != 0 ||
	    json_object_set_new(sum, "invalid", json_integer((json_int_t)invalid)) != 0 ||
	    json_object_set_new(sum, "unreadable", json_integer((json_int_t)unreadable)) != 0 ||
	    json_object_set_new(sum, "errors",
				json_integer((json_int_t)cg_findings_count_sev(f, CG_SEV_ERROR))) != 0 ||
	    json_object_set_new(sum, "warnings",
				json_integer((json_int_t)cg_findings_count_sev(f, CG_SEV_WARNING))) != 0)
		goto out;
	if (json_object_set(root, "files", arr) != 0 || json_object_set(root, "summary", sum) != 0)
		goto out;
	copy = cg__json_text(root, JSON_INDENT(2));
out:
	json_decref(arr);
	json_decref(sum);
	json_decref(root);
	return copy;
}

/* One file's block of the text report; returns its number of errors. */
static size_t
text_file(FILE *out, const cg_report_file *file, const cg_findings *f, int quiet)
{
	size_t j, errors = 0;

	if (file->error != NULL) {
		fprintf(out, "%s: UNREADABLE (%s)\n", file->file, file->error);
		return 0;
	}
	for (j = 0; j < cg_findings_count(f); j++)
		errors += belongs(cg_findings_get(f, j), file->file) &&
			  cg_findings_get(f, j)->severity == CG_SEV_ERROR;
	if (quiet && errors == 0)
		return 0;
	fprintf(out, "%s: %s%s%s%s\n", file->file, errors == 0 ? "valid" : "INVALID",
		file->type[0] != '\0' ? " (" : "", file->type, file->type[0] != '\0' ? ")" : "");
	for (j = 0; j < cg_findings_count(f); j++) {
		const cg_finding *x = cg_findings_get(f, j);

		if (!belongs(x, file->file))
			continue;
		fprintf(out, "  %s %s", cg_severity_name(x->severity), x->code);
		if (x->line != 0)
			fprintf(out, " line %lu", x->line);
		if (x->column != 0)
			fprintf(out, " column %lu", x->column);
		if (x->xpath[0] != '\0')
			fprintf(out, " %s", x->xpath);
		fprintf(out, "\n    %s\n    %s\n", x->message_zh, x->message_en);
	}
	return errors;
}

cg_rc
cg_report_text(FILE *out, const cg_report_file *files, size_t n, const cg_findings *f, int quiet)
{
	size_t i, invalid = 0, unreadable = 0;

	for (i = 0; i < n; i++) {
		unreadable += files[i].error != NULL;
		invalid += text_file(out, &files[i], f, quiet) > 0;
	}
	fprintf(out, "%zu file(s): %zu valid, %zu invalid", n, n - invalid - unreadable, invalid);
	if (unreadable > 0)
		fprintf(out, ", %zu unreadable", unreadable);
	fprintf(out, "; %zu error(s), %zu warning(s)\n", cg_findings_count_sev(f, CG_SEV_ERROR),
		cg_findings_count_sev(f, CG_SEV_WARNING));
	return ferror(out) ? CG_EIO : CG_OK;
}
