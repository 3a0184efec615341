/* The hypervisor's services on Arm, through the SMC Calling Convention
 * (Arm DEN 0028): what hvfeat asks, where the answers come from (the
 * calls themselves in firmware, a recording on the host and in tests), and
 * what they mean, as data. Function identifiers and names are Linux's
 * include/linux/arm-smccc.h; the meanings are our own words. */
#ifndef HVFEAT_SMCCC_H
#define HVFEAT_SMCCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text_sink.h"

/* Function identifiers (Linux arm-smccc.h, ARM_SMCCC_CALL_VAL) */
#define SMCCC_VERSION_FUNC_ID 0x80000000u          /* ARM_SMCCC_VERSION_FUNC_ID */
#define SMCCC_ARCH_FEATURES_FUNC_ID 0x80000001u    /* ARM_SMCCC_ARCH_FEATURES_FUNC_ID */
#define SMCCC_ARCH_SOC_ID 0x80000002u              /* ARM_SMCCC_ARCH_SOC_ID */
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u        /* ARM_SMCCC_ARCH_WORKAROUND_1 */
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu
#define SMCCC_ARCH_WORKAROUND_4 0x80000004u
#define SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID 0x8600ff01u
#define SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID 0x86000000u
#define SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID 0x86000001u
#define SMCCC_HV_PV_TIME_FEATURES 0xc5000020u
#define SMCCC_HV_PV_TIME_ST 0xc5000021u
#define SMCCC_TRNG_VERSION 0x84000050u
#define SMCCC_TRNG_FEATURES 0x84000051u
#define SMCCC_TRNG_GET_UUID 0x84000052u
#define SMCCC_TRNG_RND32 0x84000053u
#define SMCCC_TRNG_RND64 0xc4000053u

/* Return codes (DEN 0028, Linux SMCCC_RET_*), as the low 32 bits of x0 */
#define SMCCC_RET_SUCCESS 0
#define SMCCC_RET_NOT_SUPPORTED (-1)
#define SMCCC_RET_NOT_REQUIRED (-2)
#define SMCCC_RET_INVALID_PARAMETER (-3)

/* KVM_PTP_VIRT_COUNTER: the PTP call's counter is CNTVCT_EL0 */
#define KVM_PTP_VIRT_COUNTER 0u

enum smccc_conduit {
	SMCCC_CONDUIT_NONE, /* the firmware names no PSCI, so no conduit: nothing is called */
	SMCCC_CONDUIT_HVC,
	SMCCC_CONDUIT_SMC,
};

/* One call: x0 = function, x1 = arg, x2..x7 = 0. */
struct smccc_call {
	uint32_t function;
	uint64_t arg;
	uint64_t x[4];     /* x0..x3 as returned */
	bool trapped;      /* a synchronous exception instead of an answer */
	uint32_t syndrome; /* ESR_EL1 of that exception */
};

/* Where the answers come from: the HVC or SMC instruction, guarded, or a
 * recording. The scanner only ever sees this interface. */
struct smccc_source {
	/* Fills call->x (or trapped and syndrome) for call->function and arg. */
	void (*call)(const struct smccc_source *self, struct smccc_call *call);
	const void *context;
	enum smccc_conduit conduit;
	const char *conduit_origin; /* "ACPI FADT ARM boot flags 0x0003" */
	const char *kind;           /* "smccc" or "recording" */
	const char *description;    /* "hvc #0, guarded", "dump PATH" */
};

#define SMCCC_CALLS_MAX 32u
#define SMCCC_ORIGIN_MAX 64u

/* The answers of one run, the way a recording holds them. */
struct smccc_recording {
	bool present;   /* an "SMCCC:" section was read */
	bool conduit_given;
	enum smccc_conduit conduit;
	char conduit_origin[SMCCC_ORIGIN_MAX];
	size_t count;
	struct smccc_call calls[SMCCC_CALLS_MAX];
	unsigned next_register; /* the last call's next register (4: none) */
};

/* The part of the report model that SMCCC fills. */
struct smccc_report {
	bool asked;               /* false: CPUID is this machine's interface (x86) */
	const char *kind;         /* of the source */
	const char *description;
	enum smccc_conduit conduit;
	char conduit_origin[SMCCC_ORIGIN_MAX];
	size_t call_count;
	struct smccc_call calls[SMCCC_CALLS_MAX];
	/* The UUIDs the answers hold, as text ("" when none): the vendor
	 * hypervisor's and the TRNG's, kept for the requirement keys. */
	char vendor_uid[37], trng_uuid[37];
	/* The guard's exception handler, which the firmware would not
	 * unregister after the calls (NULL: it did). */
	const char *handlers_left;
};

/* Makes the calls a guest kernel makes to learn its hypervisor (Linux
 * drivers/firmware/smccc/), each once, in order: SMCCC_VERSION; with 1.1
 * or later, SMCCC_ARCH_FEATURES for every feature of the table; the vendor
 * hypervisor's UID and, for KVM, its features bitmap; PV time's features
 * when ARCH_FEATURES offers them; the TRNG's version and, when it has one,
 * its features and UUID. Nothing is called without a conduit, and nothing
 * that changes the hypervisor's state (PTP and PV_TIME_ST are probes). */
void smccc_scan(struct smccc_report *report, const struct smccc_source *source);

/* The answer of a call the scan made, or NULL when it was not made. */
const struct smccc_call *smccc_answer(const struct smccc_report *report,
				      uint32_t function, uint64_t arg);

/* x0's low 32 bits as a signed return code. */
int32_t smccc_status(const struct smccc_call *call);

/* The conduit as Linux's PSCI code finds it in the FADT's ARM boot
 * architecture flags (ACPI 6.4, 5.2.9.4): PSCI_COMPLIANT (bit 0), then
 * PSCI_USE_HVC (bit 1) for HVC, else SMC; NONE when not compliant. */
enum smccc_conduit smccc_conduit_from_arm_boot_flags(uint16_t flags);

/* The conduit a device tree's /psci "method" names ("hvc", "smc"); NONE
 * for anything else. */
enum smccc_conduit smccc_conduit_from_psci_method(const char *method);

const char *smccc_conduit_name(enum smccc_conduit conduit); /* "hvc", "smc", "none" */

/* --- what the answers mean, as data (smccc_tables.c) -------------------- */

/* A hypervisor known by the UID of ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID. */
struct smccc_vendor {
	const char *uuid;    /* "28b46fb6-2ec5-11e9-a9ca-4b564d003a74" */
	const char *key;     /* "kvm": smccc.hypervisor's value */
	const char *product; /* "KVM" */
};
extern const struct smccc_vendor smccc_vendors[];
extern const size_t smccc_vendor_count;

/* A function of KVM's vendor services: bit n of the features bitmap,
 * which x0..x3 return 32 bits each (Linux kvm_init_hyp_services). A row
 * with last > first names each bit of the range, with its number. */
struct smccc_kvm_function {
	uint8_t first, last;
	const char *id;      /* "ARM_SMCCC_KVM_FUNC_PTP"; "..._RESV_%u" for ranges */
	const char *key;     /* "ptp": smccc.kvm.ptp; NULL for reserved ranges */
	const char *meaning;
};
extern const struct smccc_kvm_function smccc_kvm_functions[];
extern const size_t smccc_kvm_function_count;

/* What SMCCC_ARCH_FEATURES is asked about. */
struct smccc_arch_feature {
	uint32_t function;
	const char *id;   /* "ARM_SMCCC_ARCH_WORKAROUND_1" */
	const char *key;  /* "workaround_1": smccc.arch.workaround_1 */
	const char *meaning;
};
extern const struct smccc_arch_feature smccc_arch_features[];
extern const size_t smccc_arch_feature_count;

/* A return code's upstream name and, as a requirement value, its word;
 * a workaround's 1 is SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED. */
struct smccc_return_code {
	int32_t value;
	const char *id;   /* "SMCCC_RET_NOT_SUPPORTED" */
	const char *word; /* "not_supported" */
};
/* Whether an SMCCC_ARCH_FEATURES answer about feature offers it: 0 or
 * more, and, for WORKAROUND_2 alone, NOT_REQUIRED, which there means the
 * mitigation is on for good or not needed (DEN 0028 7.6; Linux's
 * spectre_v4_get_cpu_fw_mitigation_state takes it as UNAFFECTED, while
 * its v2 and BHB readings take -2 as vulnerable). */
bool smccc_arch_feature_offered(uint32_t feature, int32_t status);

/* The name of a return code, NULL when it has none; arch_workaround says
 * whether 1 means UNAFFECTED. */
const struct smccc_return_code *smccc_return_code(int32_t value, bool arch_workaround);

/* --- derived facts --------------------------------------------------------- */

/* The UUID x0..x3 of a UID call hold (their low 32 bits, each little
 * endian, in order: Linux smccc_res_to_uuid), as 36 characters and a NUL. */
void smccc_uuid_text(const struct smccc_call *call, char out[37]);

/* The vendor hypervisor's UID call, answered (not NOT_SUPPORTED, not
 * trapped), or NULL. */
const struct smccc_call *smccc_vendor_uid(const struct smccc_report *report);

/* The vendor its UID names, or NULL (no answer, or a UID no table knows). */
const struct smccc_vendor *smccc_vendor(const struct smccc_report *report);

/* KVM's features bitmap, bit n (0..127): false when not asked or unset. */
bool smccc_kvm_function_offered(const struct smccc_report *report, unsigned bit);

/* The version SMCCC_VERSION gave, encoded as it returns it (major << 16 |
 * minor); 0x10000 when the call is not supported, which DEN 0028 says
 * means 1.0; false when it was not asked. */
bool smccc_version(const struct smccc_report *report, uint32_t *version);

/* What the run found, in a line: "KVM through hvc", "no hypervisor
 * services: every call returned NOT_SUPPORTED", ... */
void render_smccc_summary(const struct smccc_report *report, struct text_sink *out);

/* --- recordings (smccc_dump.c) --------------------------------------------- */

/* The answers as a source. */
void smccc_source_recorded(struct smccc_source *source,
			   const struct smccc_recording *recording,
			   const char *description);

/* The "SMCCC:" section hvfeat -r writes: a conduit line, then a line per
 * call. */
void render_smccc_dump(const struct smccc_report *report, struct text_sink *out);

/* One line of an "SMCCC:" section into recording; NULL when understood,
 * else why not. */
const char *smccc_dump_line(struct smccc_recording *recording, const char *line,
			    size_t length);

/* What a recording takes, for the section's lines and a JSON report's
 * "smccc" alike (report_reader.c); NULL when taken, else why not. The
 * conduit by its name (smccc_conduit_name's); its origin, printable ASCII
 * shorter than SMCCC_ORIGIN_MAX. */
const char *smccc_recording_conduit(struct smccc_recording *recording, const char *name,
				    size_t length);
const char *smccc_recording_origin(struct smccc_recording *recording, const char *origin,
				   size_t length);
/* A call, refused when its function and argument were given already or
 * the recording holds SMCCC_CALLS_MAX. */
const char *smccc_recording_add(struct smccc_recording *recording,
				const struct smccc_call *call);

#endif
