/* Drift of SMCCC's answers (drift.h), for Arm runs: each answer compared
 * under the requirement key it answers (smccc_facts.c, --list-keys),
 * labelled "drift.smccc.KEY" and judged by what kind of thing it is; the
 * calls no key reads compared whole. */
#include "drift_smccc.h"

#include "ascii.h"
#include "drift_rules.h"
#include "hv_report.h"
#include "interface_tables.h"

/* The two reports' answers, and the differences found. */
struct smccc_drift {
	const struct smccc_report *was, *is;
	struct result_list *results;
	size_t count;
};

/* What one report says of an item. */
enum presence {
	ABSENT,   /* nothing offered: not asked, NOT_SUPPORTED, trapped, a bit clear */
	PRESENT,  /* offered (an answer of 0 or more), or what a setting is */
	DECLINED, /* another answer: NOT_REQUIRED, INVALID_PARAMETER, ... */
};

struct side {
	enum presence presence;
	/* How the detail says it, and what is compared: registers past x0
	 * and the UUIDs fit (a call's four registers take 88 characters). */
	char shown[96];
};

static void show(struct side *side, enum presence presence, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void show(struct side *side, enum presence presence, const char *format, ...)
{
	va_list args;

	side->presence = presence;
	va_start(args, format);
	vformat_text(side->shown, sizeof(side->shown), format, args);
	va_end(args);
}

/* An answer whose x0 is a return code or a value: offered when 0 or
 * more (what the text report says; an ARCH_FEATURES answer as
 * smccc_arch_feature_offered has it), NOT_SUPPORTED and a trap offer
 * nothing, as a call not asked (SMCCC 1.0 has no ARCH_FEATURES: Linux
 * takes every feature as not supported). */
static void answer(const struct smccc_report *s, uint32_t function, uint64_t arg,
		   bool arch_workaround, struct side *out)
{
	const struct smccc_call *call = smccc_answer(s, function, arg);

	if (!call) {
		show(out, ABSENT, "not asked");
		return;
	}
	if (call->trapped) {
		show(out, ABSENT, "trapped (ESR 0x%08x)", call->syndrome);
		return;
	}
	int32_t status = smccc_status(call);
	const struct smccc_return_code *code = smccc_return_code(status, arch_workaround);
	bool offered = function == SMCCC_ARCH_FEATURES_FUNC_ID
			       ? smccc_arch_feature_offered((uint32_t)arg, status)
			       : status >= 0;
	enum presence presence = offered ? PRESENT
				 : status == SMCCC_RET_NOT_SUPPORTED ? ABSENT : DECLINED;
	if (code)
		show(out, presence, "%s", code->id);
	else
		show(out, presence, "0x%x", (uint32_t)call->x[0]);
}

/* Each item is judged by what kind of thing it is (drift_rules.h): an
 * offer (KVM's functions, an SMCCC_ARCH_FEATURES answer, PV time's
 * stolen-time structure, the TRNG), the hypervisor's identity (its UID),
 * or a setting (the conduit, the version, the TRNG's UUID, an answer no
 * key reads). */
struct item {
	const char *key; /* after "smccc.": the requirement key it answers */
	enum drift_kind kind;
	const char *what; /* the detail's subject */
	void (*read)(const struct smccc_report *s, const struct item *item, struct side *out);
	uint32_t function; /* the call it reads, 0 for none */
	uint64_t arg;
	const char *listed; /* for --list-labels */
};

static void read_conduit(const struct smccc_report *s, const struct item *item,
			 struct side *out)
{
	(void)item;
	show(out, PRESENT, "%s", smccc_conduit_name(s->conduit));
}

static void read_version(const struct smccc_report *s, const struct item *item,
			 struct side *out)
{
	uint32_t version;

	(void)item;
	if (smccc_version(s, &version))
		show(out, PRESENT, "0x%x (%u.%u)", version, version >> 16, version & 0xffffu);
	else
		show(out, ABSENT, "not asked");
}

static void read_vendor(const struct smccc_report *s, const struct item *item,
			struct side *out)
{
	const struct smccc_vendor *vendor = smccc_vendor(s);

	(void)item;
	if (!s->vendor_uid[0])
		show(out, ABSENT, "none");
	else
		show(out, PRESENT, "%s (%s)", s->vendor_uid, vendor ? vendor->product : "unknown");
}

static void read_answer(const struct smccc_report *s, const struct item *item,
			struct side *out)
{
	answer(s, item->function, item->arg, false, out);
}

static void read_trng_uuid(const struct smccc_report *s, const struct item *item,
			   struct side *out)
{
	(void)item;
	if (s->trng_uuid[0])
		show(out, PRESENT, "%s", s->trng_uuid);
	else
		show(out, ABSENT, "none");
}

static const struct item items[] = {
	{ "conduit", DRIFT_SETTING, "the conduit", read_conduit, 0, 0, "the conduit changed (warn)" },
	{ "version", DRIFT_SETTING, "SMCCC_VERSION", read_version, SMCCC_VERSION_FUNC_ID, 0,
	  "the SMCCC version changed (warn)" },
	{ "hypervisor", DRIFT_IDENTITY, "the vendor hypervisor UID", read_vendor,
	  SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0, "vendor UID changed or gone (fail), new (warn)" },
	{ "pv_time.st", DRIFT_OFFER, "ARM_SMCCC_HV_PV_TIME_ST", read_answer,
	  SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST,
	  "stolen-time structure lost (fail), gained (warn)" },
	{ "trng.version", DRIFT_OFFER, "the TRNG (ARM_SMCCC_TRNG_VERSION)", read_answer,
	  SMCCC_TRNG_VERSION, 0, "TRNG gone (fail), new or other version (warn)" },
	{ "trng.uuid", DRIFT_SETTING, "the TRNG's UUID", read_trng_uuid, SMCCC_TRNG_GET_UUID, 0,
	  "the TRNG's UUID changed (warn)" },
};

/* One item of both reports: a result when they differ. */
static void compare(struct smccc_drift *d, enum drift_kind kind, const char *label,
		    const char *what, const struct side *was, const struct side *is)
{
	enum drift_change change;

	if (was->presence == is->presence &&
	    (was->presence == ABSENT || ascii_equal(was->shown, is->shown, false)))
		return; /* the same, or nothing offered either way */
	if (was->presence == PRESENT && is->presence == ABSENT)
		change = DRIFT_LOST;
	else if (was->presence == ABSENT && is->presence == PRESENT)
		change = DRIFT_GAINED;
	else
		change = DRIFT_CHANGED;
	const struct drift_judgement *j = drift_judgement(kind, change);
	d->count++;
	sink_printf(results_add(d->results, j->outcome, j->severity, "drift.smccc.", label),
		    "%s %s: %s in the baseline, %s now", what, j->word, was->shown, is->shown);
}

static void compare_items(struct smccc_drift *d)
{
	struct side before, after;

	for (size_t i = 0; i < COUNT_OF(items); i++) {
		items[i].read(d->was, &items[i], &before);
		items[i].read(d->is, &items[i], &after);
		compare(d, items[i].kind, items[i].key, items[i].what, &before, &after);
	}
}

static void compare_arch_features(struct smccc_drift *d)
{
	char label[RESULT_LABEL_MAX];
	struct side before, after;

	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		const struct smccc_arch_feature *f = &smccc_arch_features[i];
		bool workaround = ascii_after_prefix(f->key, "workaround_", false) != NULL;
		answer(d->was, SMCCC_ARCH_FEATURES_FUNC_ID, f->function, workaround, &before);
		answer(d->is, SMCCC_ARCH_FEATURES_FUNC_ID, f->function, workaround, &after);
		compare(d, DRIFT_OFFER, format_text(label, sizeof(label), "arch.%s", f->key), f->id,
			&before, &after);
	}
}

static const struct smccc_kvm_function *kvm_function(unsigned bit)
{
	for (size_t i = 0; i < smccc_kvm_function_count; i++)
		if (smccc_kvm_functions[i].first <= bit && bit <= smccc_kvm_functions[i].last)
			return &smccc_kvm_functions[i];
	return NULL;
}

static void kvm_bit(const struct smccc_report *s, unsigned bit, struct side *out)
{
	if (smccc_kvm_function_offered(s, bit))
		show(out, PRESENT, "set");
	else
		show(out, ABSENT, smccc_answer(s, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0)
					  ? "clear" : "not asked");
}

/* KVM's features bitmap, bit by bit: a function with a key is an offer;
 * a bit no key names (pKVM's reserved ones, those Linux does not number)
 * differs as a setting. */
static void compare_kvm_functions(struct smccc_drift *d)
{
	char label[RESULT_LABEL_MAX], what[64];
	struct side before, after;

	for (unsigned bit = 0; bit < 128; bit++) {
		const struct smccc_kvm_function *f = kvm_function(bit);
		struct buffer_sink text;
		kvm_bit(d->was, bit, &before);
		kvm_bit(d->is, bit, &after);
		string_sink_init(&text, label, sizeof(label));
		if (f && f->key)
			sink_printf(&text.sink, "kvm.%s", f->key);
		else
			sink_printf(&text.sink, "kvm.raw.%u", bit);
		string_sink_finish(&text);
		string_sink_init(&text, what, sizeof(what));
		if (f)
			sink_printf(&text.sink, f->id, bit);
		else
			sink_puts(&text.sink, "KVM's features bitmap");
		sink_printf(&text.sink, " (bit %u)", bit);
		compare(d, f && f->key ? DRIFT_OFFER : DRIFT_SETTING, label, string_sink_finish(&text),
			&before, &after);
	}
}

/* Whether an item above reads the call's answer. */
static bool read_by_an_item(const struct smccc_call *call)
{
	for (size_t i = 0; i < COUNT_OF(items); i++)
		if (items[i].function && items[i].function == call->function &&
		    items[i].arg == call->arg)
			return true;
	return call->function == SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID ||
	       call->function == SMCCC_ARCH_FEATURES_FUNC_ID;
}

static void whole_answer(const struct smccc_call *call, struct side *out)
{
	size_t shown = 4;

	if (call->trapped) {
		show(out, PRESENT, "trapped (ESR 0x%08x)", call->syndrome);
		return;
	}
	while (shown > 1 && !call->x[shown - 1])
		shown--;
	show(out, PRESENT, "x0=0x%lx", (unsigned long)call->x[0]);
	for (size_t i = 1; i < shown; i++) {
		size_t length = text_length(out->shown);
		format_text(out->shown + length, sizeof(out->shown) - length, " x%u=0x%lx",
			    (unsigned)i, (unsigned long)call->x[i]);
	}
}

/* The calls no item reads (the TRNG's and PV time's FEATURES of each
 * function), made in both runs, answered otherwise. A call one run did
 * not make is no result of its own: the scan makes each on an answer
 * that came before it (the version, ARCH_FEATURES of PV time, the TRNG's
 * version), whose difference is one. */
static void compare_other_calls(struct smccc_drift *d)
{
	struct side before, after;

	for (size_t i = 0; i < d->is->call_count; i++) {
		const struct smccc_call *now = &d->is->calls[i];
		const struct smccc_call *then = smccc_answer(d->was, now->function, now->arg);
		if (!then || read_by_an_item(now))
			continue;
		char label[RESULT_LABEL_MAX], what[48];
		whole_answer(then, &before);
		whole_answer(now, &after);
		format_text(label, sizeof(label), "call.0x%08x.0x%lx", now->function,
			    (unsigned long)now->arg);
		format_text(what, sizeof(what), "call 0x%08x 0x%lx", now->function,
			    (unsigned long)now->arg);
		compare(d, DRIFT_SETTING, label, what, &before, &after);
	}
}

size_t drift_smccc(const struct hv_report *now, const struct hv_report *baseline,
		   struct result_list *results)
{
	const struct smccc_report *was = &baseline->smccc, *is = &now->smccc;
	struct smccc_drift d = { was, is, results, 0 };

	if (was->asked != is->asked) {
		char summary[96];
		struct buffer_sink text;
		string_sink_init(&text, summary, sizeof(summary));
		render_smccc_summary(was->asked ? was : is, &text.sink);
		return drift_section_on_one_side(results, was->asked, "smccc", "SMCCC answers",
						 string_sink_finish(&text));
	}
	if (is->asked) { /* not on CPUID's runs (x86) */
		compare_items(&d);
		compare_arch_features(&d);
		compare_kvm_functions(&d);
		compare_other_calls(&d);
	}
	return d.count;
}

/* "0x" and hex digits, of at most largest. */
static bool hex_part(struct cursor *c, uint64_t largest)
{
	uint64_t value;
	bool hex;

	return cursor_number_up_to(c, largest, &value, &hex) && hex;
}

bool drift_smccc_label_known(const char *name)
{
	const char *rest = ascii_after_prefix(name, "smccc", true), *key;

	if (!rest)
		return false;
	if (!*rest)
		return true;
	if (!(rest = ascii_after_prefix(rest, ".", true)))
		return false;
	for (size_t i = 0; i < COUNT_OF(items); i++)
		if (ascii_equal(rest, items[i].key, true))
			return true;
	if ((key = ascii_after_prefix(rest, "arch.", true))) {
		for (size_t i = 0; i < smccc_arch_feature_count; i++)
			if (ascii_equal(key, smccc_arch_features[i].key, true))
				return true;
		return false;
	}
	if ((key = ascii_after_prefix(rest, "kvm.raw.", true))) {
		struct cursor c = { key, key + text_length(key) };
		uint32_t bit;
		bool hex;
		const struct smccc_kvm_function *f;
		return cursor_number(&c, &bit, &hex) && !hex && cursor_at_end(&c) && bit < 128 &&
		       (!(f = kvm_function(bit)) || !f->key);
	}
	if ((key = ascii_after_prefix(rest, "kvm.", true))) {
		for (size_t i = 0; i < smccc_kvm_function_count; i++)
			if (smccc_kvm_functions[i].key && ascii_equal(key, smccc_kvm_functions[i].key, true))
				return true;
		return false;
	}
	if ((key = ascii_after_prefix(rest, "call.", true))) {
		struct cursor c = { key, key + text_length(key) };
		return hex_part(&c, 0xffffffffu) && cursor_take(&c, ".") &&
		       hex_part(&c, UINT64_MAX) && cursor_at_end(&c);
	}
	return false;
}

void render_drift_smccc_labels(struct text_sink *out)
{
	sink_puts(out, "  drift.smccc              SMCCC answers in the baseline and none now (fail),\n"
		       "                           or the other way round (warn)\n");
	for (size_t i = 0; i < COUNT_OF(items); i++)
		sink_printf(out, "  drift.smccc.%-12s %s\n", items[i].key, items[i].listed);
	sink_puts(out,
		  "  drift.smccc.kvm.KEY      a KVM function (--list-keys) lost (fail), gained\n"
		  "                           (warn)\n"
		  "  drift.smccc.kvm.raw.N    bit N of KVM's features that no key names (warn)\n"
		  "  drift.smccc.arch.KEY     an SMCCC_ARCH_FEATURES answer changed (warn); one\n"
		  "                           offered now NOT_SUPPORTED, trapped or not asked\n"
		  "                           (fail)\n"
		  "  drift.smccc.call.0xFUNCTION.0xARG  another call answered otherwise (warn)\n");
}
