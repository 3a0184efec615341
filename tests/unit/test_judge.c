/* Judging: results from requirements and probes, waivers, --strict, the
 * verdict and the exit classes. The class values are the README's table
 * ("Exit statuses"), written out here, not taken from results.h. */
#include "recordings.h"

#include "checks.h"
#include "judge.h"
#include "labels.h"
#include "results.h"

static struct requirement_list list;
static char errors[512];

static const struct cpuid_record kvm_guest[] = {
	BASIC_LEAVES_HV,
	LEAF(0x40000000, 0x40000001, SIG_KVM),
	/* CLOCKSOURCE, CLOCKSOURCE2, STEAL_TIME, CLOCKSOURCE_STABLE_BIT */
	LEAF(0x40000001, 0x01000029, 0, 0, 0),
};

static bool add(const char *text, size_t length)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	bool ok = requirements_add(&list, text, length, "policy", &sink.sink);
	errors[sink.length] = '\0';
	return ok;
}

static bool waive(const char *labels)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	bool ok = waivers_add(&list.waivers, labels, strlen(labels), "--waive", &sink.sink);
	errors[sink.length] = '\0';
	return ok;
}

static struct hv_report *judged(const char *requirements, bool strict)
{
	struct hv_report *r = SCAN(kvm_guest);

	if (!add(requirements, strlen(requirements)))
		fail_msg("rejected: %s", errors);
	hv_check(r, &list);
	hv_judge(r, &(struct judge_settings){ .waivers = &list.waivers, .strict = strict });
	return r;
}

static const struct result *labelled(const struct hv_report *r, const char *label)
{
	for (size_t i = 0; i < r->results.count; i++)
		if (!strcmp(r->results.items[i].label, label))
			return &r->results.items[i];
	fail_msg("no result %s", label);
	return NULL;
}

static int reset(void **state)
{
	(void)state;
	memset(&list, 0, sizeof(list));
	memset(&test_report, 0, sizeof(test_report));
	return 0;
}

/* A probe the report says is broken, as probe_run would leave it. */
static void with_probe(struct hv_report *r, const char *key, enum probe_state state,
		       const char *detail)
{
	struct probe_result *p = &r->probes.results[r->probes.count++];

	r->probes.requested = true;
	*p = (struct probe_result){ .key = key, .title = key, .state = state };
	strncpy(p->detail, detail, sizeof(p->detail) - 1);
}

static void rejudge(struct hv_report *r, bool strict)
{
	hv_check(r, &list);
	hv_judge(r, &(struct judge_settings){ .waivers = &list.waivers, .strict = strict });
}

static void requirements_become_labelled_results(void **state)
{
	(void)state;
	struct hv_report *r = judged("kvm.STEAL_TIME, hyperv.accessvpindex=0", false);

	/* the label spells the key as --list-keys does, whatever was typed */
	assert_int_equal(labelled(r, "require.kvm.steal_time")->outcome, OUTCOME_PASS);
	const struct result *absent = labelled(r, "require.hyperv.AccessVpIndex");
	assert_int_equal(absent->outcome, OUTCOME_FAIL);
	assert_int_equal(absent->severity, SEVERITY_HIGH);
	assert_string_equal(absent->detail, "hyperv.accessvpindex = 0: no hyperv interface");
	assert_false(r->verdict.passed);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x03);
}

/* The defect issue 16 names: a broken probe passed the verdict. */
static void a_broken_probe_fails_the_verdict(void **state)
{
	(void)state;
	struct hv_report *r = SCAN(kvm_guest);

	with_probe(r, "kvm.steal_time", PROBE_WORKS, "");
	with_probe(r, "forced_msr", PROBE_BROKEN, "#GP on MSR 0x4b564d03 (read)");
	with_probe(r, "kvm.pv_eoi", PROBE_NOT_ADVERTISED, "");
	with_probe(r, "kvm.tsc_khz", PROBE_SKIPPED, "too noisy to judge");
	rejudge(r, false);
	const struct result *forced = labelled(r, "probe.forced_msr");
	assert_int_equal(forced->outcome, OUTCOME_FAIL);
	assert_string_equal(forced->detail, "broken: #GP on MSR 0x4b564d03 (read)");
	assert_int_equal(labelled(r, "probe.kvm.steal_time")->outcome, OUTCOME_PASS);
	assert_int_equal(labelled(r, "probe.kvm.pv_eoi")->outcome, OUTCOME_NOT_APPLICABLE);
	assert_int_equal(labelled(r, "probe.kvm.tsc_khz")->outcome, OUTCOME_SKIP);
	assert_int_equal(labelled(r, "probe.cleanup")->outcome, OUTCOME_PASS);
	assert_false(r->verdict.passed);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x01 | 0x02 | 0x08);
	assert_contains(text_of(r), "  failed: probe.forced_msr (high)\n"
				    "verdict: FAIL, 1 result failed\n");

	/* waived, it is a warning that fails nothing, even with --strict */
	assert_true(waive("PROBE.Forced_MSR"));
	rejudge(r, true);
	forced = labelled(r, "probe.forced_msr");
	assert_int_equal(forced->outcome, OUTCOME_WARN);
	assert_true(forced->waived);
	assert_true(r->verdict.passed);
	assert_int_equal(r->verdict.waived, 1);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x04 | 0x08);
	assert_contains(text_of(r), "  WARN  probe.forced_msr: waived: broken: #GP on MSR "
				    "0x4b564d03 (read)\n");
	assert_contains(text_of(r), "verdict: PASS, with 1 warning\n");
}

static void a_probe_phase_that_left_something_fails_critically(void **state)
{
	(void)state;
	struct hv_report *r = SCAN(kvm_guest);

	with_probe(r, "kvm.steal_time", PROBE_WORKS, "");
	r->probes.restores[r->probes.restore_count++] =
		(struct msr_restore){ .msr = 0x4b564d03, .found = 0, .now = 1 };
	r->probes.pages_in_use = true;
	rejudge(r, false);
	const struct result *cleanup = labelled(r, "probe.cleanup");
	assert_int_equal(cleanup->outcome, OUTCOME_FAIL);
	assert_int_equal(cleanup->severity, SEVERITY_CRITICAL);
	assert_string_equal(cleanup->detail, "0 of 1 MSRs read back as found; pages kept "
					     "reserved; fault handlers unregistered");
	/* the run is also not done: the error class beside the failure */
	assert_int_equal(exit_classes(RUN_NOT_DONE, &r->verdict), 0x01 | 0x02 | 0x10);
}

static void probes_not_run_are_one_skip(void **state)
{
	(void)state;
	struct hv_report *r = SCAN(kvm_guest);

	probe_not_run(r, NOT_READ_FROM_RECORDING);
	rejudge(r, false);
	assert_int_equal(labelled(r, "probe.run")->outcome, OUTCOME_SKIP);
	assert_int_equal(r->verdict.counts[OUTCOME_SKIP], 1);
	for (size_t i = 0; i < r->results.count; i++)
		assert_string_not_equal(r->results.items[i].label, "probe.cleanup");
	assert_true(r->verdict.passed);
	/* All that was asked (the probes) was skipped; the lints, which hold,
	 * are judged on every run and do not count: skip (0x08), skip only
	 * (0x20). */
	assert_true(r->verdict.counts[OUTCOME_PASS] > 0);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x08 | 0x20);
	/* a requirement that passes beside it: not only skips */
	assert_true(add("kvm.steal_time", strlen("kvm.steal_time")));
	rejudge(r, false);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x08);
}

static void strict_fails_on_a_warning(void **state)
{
	(void)state;
	static const struct cpuid_record stable_alone[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x01000000, 0, 0, 0), /* CLOCKSOURCE_STABLE_BIT only */
	};
	struct hv_report *r = SCAN(stable_alone);

	rejudge(r, false);
	const struct result *lint = labelled(r, "lint.kvm.stable-bit-without-kvmclock");
	assert_int_equal(lint->outcome, OUTCOME_WARN);
	assert_true(r->verdict.passed);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x04);
	rejudge(r, true);
	assert_false(r->verdict.passed);
	assert_int_equal(exit_classes(RUN_JUDGED, &r->verdict), 0x01 | 0x02 | 0x04);
	assert_contains(text_of(r), "verdict: FAIL, 1 warning under --strict\n");
	assert_true(waive("lint.kvm.stable-bit-without-kvmclock"));
	rejudge(r, true);
	assert_true(r->verdict.passed);
}

static void unknown_waivers_are_refused(void **state)
{
	(void)state;
	assert_false(waive("probe.kvm.stealtime"));
	assert_string_equal(errors, "hvfeat: --waive: waiver 'probe.kvm.stealtime' names no "
				    "result hvfeat gives (--list-labels)\n");
	assert_false(waive("require.kvm.pv_unhlat"));
	assert_false(waive("lint.nothing"));
	assert_false(waive("kvm.pv_unhalt"));
	assert_false(waive("require.kvm.pv_unhalt probe.run"));
	assert_int_equal(list.waivers.count, 0);
	assert_true(waive(" require.interface.kvm.base , probe.cleanup,lint.KVM.stable-bit-"
			  "without-kvmclock,"));
	assert_int_equal(list.waivers.count, 3);
}

static void policy_files_waive_too(void **state)
{
	(void)state;
	static const char policy[] = "kvm.pv_unhalt\n"
				     "waive require.kvm.pv_unhalt  # known on this fleet\n"
				     "waive probe.nothing\n";

	assert_false(add(policy, sizeof(policy) - 1));
	assert_string_equal(errors, "hvfeat: policy:3: waiver 'probe.nothing' names no "
				    "result hvfeat gives (--list-labels)\n");
	memset(&list, 0, sizeof(list));
	/* one waive line names several labels, as --waive does */
	struct hv_report *r = judged("kvm.pv_unhalt\nwaive probe.run, require.kvm.pv_unhalt\n",
				     false);
	assert_int_equal(list.waivers.count, 2);
	const struct result *unhalt = labelled(r, "require.kvm.pv_unhalt");
	assert_int_equal(unhalt->outcome, OUTCOME_WARN);
	assert_true(unhalt->waived);
	assert_true(r->verdict.passed);
}

/* Past RESULTS_MAX results are counted, waived and judged, never dropped:
 * a failure there fails the verdict, a waived one does not, and under
 * --strict a warning there does. */
static void results_past_the_bound_still_count(void **state)
{
	(void)state;
	static struct result_list many;
	struct verdict v;

	assert_true(waive("probe.cleanup"));
	for (int waived = 0; waived < 2; waived++) {
		results_reset(&many, waived ? &list.waivers : NULL);
		for (size_t i = 0; i < RESULTS_MAX; i++)
			results_add(&many, OUTCOME_PASS, SEVERITY_NONE, "lint.", "x");
		sink_puts(results_add(&many, OUTCOME_FAIL, SEVERITY_HIGH, "probe.", "cleanup"),
			  "lost?");
		assert_int_equal(many.count, RESULTS_MAX);
		assert_int_equal(results_unlisted(&many), 1);
		results_tally(&many, false, &v);
		assert_int_equal(v.counts[OUTCOME_PASS], RESULTS_MAX);
		if (!waived) {
			assert_int_equal(many.unlisted[OUTCOME_FAIL], 1);
			assert_false(v.passed);
			continue;
		}
		assert_int_equal(many.unlisted[OUTCOME_WARN], 1);
		assert_int_equal(v.waived, 1);
		assert_true(v.passed);
		results_tally(&many, true, &v); /* a waived warning fails nothing */
		assert_true(v.passed);
	}
	results_reset(&many, NULL);
	for (size_t i = 0; i <= RESULTS_MAX; i++)
		results_add(&many, OUTCOME_WARN, SEVERITY_LOW, "lint.", "x");
	results_tally(&many, false, &v);
	assert_true(v.passed);
	results_tally(&many, true, &v);
	assert_false(v.passed);
}

static void details_are_cut_not_overflowed(void **state)
{
	(void)state;
	static struct result_list one;
	struct text_sink *detail = results_add(&one, OUTCOME_INFO, SEVERITY_NONE, "lint.", "z");

	for (int i = 0; i < 100; i++)
		sink_puts(detail, "0123456789");
	assert_int_equal(strlen(one.items[0].detail), RESULT_DETAIL_MAX - 1);
}

/* The -q rendering of a report. */
static const char *quiet_of(const struct hv_report *r)
{
	struct buffer_sink sink;
	static char text[4096];

	buffer_sink_init(&sink, text, sizeof(text) - 1);
	render_quiet(r, &sink.sink);
	text[sink.length < sizeof(text) ? sink.length : sizeof(text) - 1] = '\0';
	return text;
}

static void quiet_shows_only_what_did_not_pass(void **state)
{
	(void)state;
	struct hv_report *r = judged("kvm.steal_time, kvm.pv_unhalt", false);

	assert_string_equal(quiet_of(r), "hvfeat 1.0 - what did not pass\n"
				  "summary: hypervisor present, 1 interface, KVM PV features "
				  "at 0x40000000\n"
				  /* 2 requirements and the 12 lints: on this KVM
				   * block 5 hold, 7 (Hyper-V's, the bit clear, a
				   * max leaf past base+1, SMBIOS's without
				   * tables) do not apply */
				  "\nresults: 14\n"
				  "  FAIL  require.kvm.pv_unhalt: kvm.pv_unhalt = 1: found 0\n"
				  "summary: 6 passed, 1 failed, 0 warnings, 0 skipped,\n"
				  "         7 not applicable, 0 info\n"
				  "  failed: require.kvm.pv_unhalt (high)\n"
				  "verdict: FAIL, 1 result failed\n"
				  "end of hvfeat report\n");
}

/* -q keeps failures, warnings (waived ones too) and skips, nothing else. */
static void quiet_keeps_warnings_and_skips(void **state)
{
	(void)state;
	struct hv_report *r = SCAN(kvm_guest);

	with_probe(r, "kvm.steal_time", PROBE_WORKS, "");
	with_probe(r, "forced_msr", PROBE_BROKEN, "#GP on MSR 0x4b564d03 (read)");
	with_probe(r, "kvm.tsc_khz", PROBE_SKIPPED, "too noisy to judge");
	with_probe(r, "kvm.pv_eoi", PROBE_NOT_ADVERTISED, "");
	assert_true(waive("probe.forced_msr"));
	rejudge(r, false);
	const char *text = quiet_of(r);
	assert_contains(text, "  WARN  probe.forced_msr: waived: broken: #GP on MSR 0x4b564d03 "
			      "(read)\n"
			      "  SKIP  probe.kvm.tsc_khz: skipped: too noisy to judge\n"
			      "summary: ");
	assert_lacks(text, "PASS  ");
	assert_lacks(text, "N/A  ");
	assert_contains(text, "verdict: PASS, with 1 warning\nend of hvfeat report\n");
}

static void usage_and_errors_without_a_verdict(void **state)
{
	(void)state;
	assert_int_equal(exit_classes(RUN_USAGE_ERROR, NULL), 0x02);
	assert_int_equal(exit_classes(RUN_NOT_DONE, NULL), 0x12);
	struct verdict clean = { .counts = { [OUTCOME_PASS] = 1 }, .passed = true };
	assert_int_equal(exit_classes(RUN_JUDGED, &clean), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(requirements_become_labelled_results, reset),
		cmocka_unit_test_setup(a_broken_probe_fails_the_verdict, reset),
		cmocka_unit_test_setup(a_probe_phase_that_left_something_fails_critically, reset),
		cmocka_unit_test_setup(probes_not_run_are_one_skip, reset),
		cmocka_unit_test_setup(strict_fails_on_a_warning, reset),
		cmocka_unit_test_setup(unknown_waivers_are_refused, reset),
		cmocka_unit_test_setup(policy_files_waive_too, reset),
		cmocka_unit_test_setup(results_past_the_bound_still_count, reset),
		cmocka_unit_test_setup(details_are_cut_not_overflowed, reset),
		cmocka_unit_test_setup(quiet_shows_only_what_did_not_pass, reset),
		cmocka_unit_test_setup(quiet_keeps_warnings_and_skips, reset),
		cmocka_unit_test_setup(usage_and_errors_without_a_verdict, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
