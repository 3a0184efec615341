/* Functional probes (--probe): does what CPUID advertises actually work?
 * The probes are plain C over a small machine interface (guarded MSR
 * access, the TSC, the ACPI PM timer, a hypercall, the RTC, interrupts off,
 * a self-interrupt, two pages of memory), so their decisions are
 * unit-tested on the host against a simulated hypervisor; the firmware
 * supplies the real machine. */
#ifndef HVFEAT_PROBE_H
#define HVFEAT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ACPI 6.4, 4.8.3.3: the PM timer runs at 3.579545 MHz. */
#define PM_TIMER_HZ 3579545u

/* The faults the machine's guard catches: #UD and #GP. */
#define VECTOR_UD 6
#define VECTOR_GP 13

/* EFI_UNSPECIFIED_TIMEZONE: the RTC does not say whether it holds UTC or
 * local time (UEFI 2.11, 8.3.1). */
#define RTC_ZONE_UNSPECIFIED 0x07ff

/* What a self-interrupt showed (probe_machine.self_interrupt). */
struct interrupt_seen {
	bool apic_enabled;     /* software-enabled (SVR bit 8): else none is sent */
	bool sent;             /* it was sent (interrupts on, a gate for it) */
	bool handled;          /* the handler ran */
	bool pv_eoi_flag;      /* it found the PV EOI flag set, and cleared it */
	bool still_in_service; /* after that, the local APIC still had it in
				  service: the EOI was never completed */
};

/* vCPUs a probe can run code on at once (this one included): each gets a
 * pvclock structure of its own in the first page. */
#define PROBE_VCPU_MAX 64u

/* Run on every vCPU by every_vcpu, again and again on each until it
 * returns false. */
typedef bool (*vcpu_step)(void *argument, size_t vcpu);

/* The machine the probes act on (and the confidential-computing status
 * reads: cvm.h). Every MSR access, the hypercall and TDCALL are guarded:
 * a #GP or #UD is caught and reported, never taken; under SEV-ES and SNP
 * too, where the firmware's #VC handler raises the #GP the host asks for.
 * Not in a TD: there an MSR access or VMCALL the TDX module leaves to the
 * host raises #VE, which the firmware handles and the guard never sees
 * (OVMF halts the TD when the host refuses an MSR), so no probe makes one
 * there (cvm_td_exits). */
struct probe_machine {
	void *context;
	/* false, with *vector set (VECTOR_GP), when the access faulted */
	bool (*read_msr)(void *context, uint32_t msr, uint64_t *value, uint8_t *vector);
	bool (*write_msr)(void *context, uint32_t msr, uint64_t value, uint8_t *vector);
	/* The TSC, read in order with the loads around it, as Linux's
	 * rdtsc_ordered() reads it for kvmclock; any vCPU. */
	uint64_t (*read_tsc)(void *context);
	/* NULL when the firmware's ACPI tables name no PM timer */
	uint32_t (*read_pm_timer)(void *context);
	uint32_t pm_timer_mask; /* 0xffffff, or 0xffffffff for a 32-bit timer */
	/* vmmcall (AMD) or vmcall (Intel) with RAX = nr, RBX..RSI = a0..a3;
	 * false, with *vector set (VECTOR_UD), when it faulted */
	bool (*hypercall)(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
			  uint64_t *ret, uint8_t *vector);
	/* TDCALL (Intel TDX module ABI) with RAX = leaf and RCX, RDX, R8 =
	 * in[0..2]: RAX, the completion status, in *status, RCX, RDX, R8, R9,
	 * R10, R11 in out[]; false, with *vector set (VECTOR_UD: not a TD),
	 * when it faulted. NULL when the machine has none. */
	bool (*tdcall)(void *context, uint64_t leaf, const uint64_t in[3], uint64_t *status,
		       uint64_t out[6], uint8_t *vector);
	/* The firmware's real-time clock: seconds since 1970-01-01 as its date
	 * and time fields read, and its offset from UTC in minutes as EFI_TIME
	 * gives it (Localtime = UTC - TimeZone), RTC_ZONE_UNSPECIFIED when it
	 * does not say; false when there is no clock */
	bool (*rtc)(void *context, int64_t *seconds, int16_t *zone_minutes);
	/* Interrupts off on this vCPU (UEFI: TPL_HIGH_LEVEL), and back as they
	 * were. */
	void (*interrupts_off)(void *context);
	void (*interrupts_restore)(void *context);
	/* A fixed interrupt sent to this vCPU through its local APIC, handled
	 * as a guest with PV EOI handles it (Linux kvm_guest_apic_eoi_write):
	 * when bit 0 of *pv_eoi is set the handler clears it and writes no EOI,
	 * else it writes the EOI. Returns once handled or after a bounded wait,
	 * having let the host run once more, and never leaves the vector in
	 * service; sends nothing while the APIC is software-disabled or
	 * interrupts are off. NULL when the firmware has no vector or local
	 * APIC for it. */
	void (*self_interrupt)(void *context, volatile uint32_t *pv_eoi,
			       struct interrupt_seen *seen);
	/* Two zeroed 4 KiB pages the host may write into while a probe has them
	 * registered; released by the caller only after probe_run returned
	 * and said every registration was undone. */
	volatile uint8_t *pages[2];
	uint64_t page_addresses[2]; /* their guest-physical addresses */

	/* The vCPUs every_vcpu runs on: this one as vCPU 0, then the other
	 * enabled ones; their numbers as the report's vCPU section gives them.
	 * 1 when no other vCPU can be reached (no MP services). */
	size_t vcpu_count;
	uint32_t vcpu_numbers[PROBE_VCPU_MAX];
	/* Calls step(argument, vcpu) on every vCPU at once, each vCPU again
	 * until its step returns false, and returns when all have, or after
	 * timeout_us and a bounded wait for the firmware to take back those
	 * that had not; finished[vcpu] says which returned false, started[vcpu]
	 * which the firmware started at all (vCPU 0 always). On the other vCPUs
	 * the code may not call the firmware: a step uses plain memory, atomics
	 * and the operations marked "any vCPU" alone. */
	void (*every_vcpu)(void *context, vcpu_step step, void *argument, uint32_t timeout_us,
			   bool *started, bool *finished);
	/* Any vCPU, unguarded (the fault guard is this vCPU's alone): only for
	 * an MSR every vCPU's CPUID offers, and that the guarded probes used
	 * on this one. A fault parks the vCPU, which every_vcpu then reports as
	 * not finished. */
	uint64_t (*any_vcpu_read_msr)(uint32_t msr);
	void (*any_vcpu_write_msr)(uint32_t msr, uint64_t value);
};

enum probe_state {
	PROBE_NOT_RUN,        /* not judged yet: the zero value */
	PROBE_WORKS,
	PROBE_BROKEN,         /* detail: what was wrong */
	PROBE_NOT_ADVERTISED, /* CPUID does not offer it */
	PROBE_SKIPPED,        /* detail: why it could not be judged */
	PROBE_NOT_APPLICABLE, /* detail: what it would judge is not there (one vCPU) */
};

enum probe_value_kind { VALUE_DECIMAL, VALUE_HEX, VALUE_SIGNED };

struct probe_value {
	const char *name; /* "kvmclock_ns", with its unit in the name */
	uint64_t value;
	enum probe_value_kind kind;
};

/* The most a probe adds is 16: kvmclock that went back and was rewritten,
 * with its wall clock (test_probe.c keeps them all). */
#define PROBE_VALUES_MAX 18u
/* Room for a reason and every remark kvmclock can add (test_probe.c). */
#define PROBE_DETAIL_MAX 320u

struct probe_result {
	const char *key;   /* "kvm.clocksource2": the requirement is probe.KEY */
	const char *title; /* "kvmclock via MSR_KVM_SYSTEM_TIME_NEW" */
	enum probe_state state;
	char detail[PROBE_DETAIL_MAX]; /* the reason; a remark when it works */
	size_t value_count;
	struct probe_value values[PROBE_VALUES_MAX];
};

/* One MSR a probe changed, and what it was put back to. */
struct msr_restore {
	uint32_t vcpu; /* the vCPU's number: the probes' own, or another's */
	bool other_vcpu; /* on a vCPU besides the probes' own */
	bool vcpu_lost;  /* that vCPU never finished: nothing was read back */
	uint32_t msr;
	uint64_t found;   /* its value before hvfeat touched it */
	uint64_t now;     /* read back after the restore */
	bool restored;    /* written back and read back equal to found */
};

#define PROBE_MAX 16u
/* The probes' own vCPU's MSRs, then one a vCPU for kvmclock across them. */
#define RESTORE_MAX (24u + PROBE_VCPU_MAX)

struct probe_report {
	bool requested;
	const char *not_run_reason; /* set when nothing was probed, and why */
	size_t count;
	struct probe_result results[PROBE_MAX];
	size_t restore_count;
	struct msr_restore restores[RESTORE_MAX];
	bool pages_in_use; /* a registration could not be undone: keep the pages */
	/* A registration no call can undo, in memory kept from the OS (AArch64
	 * PV stolen time); NULL when there is none. */
	const char *kept_registered;
	/* Why a fault handler the probes registered could not be unregistered
	 * (NULL: every one was); set by the firmware after probe_run. */
	const char *handlers_left;
	uint32_t pm_ticks; /* how long the probes took, by the PM timer (0: none) */
};

/* Forced probes for testing the guard: read an MSR, and with write_value
 * also write that value to it (put back as found when the write took). */
struct forced_msr {
	bool requested;
	uint32_t msr;
	bool write;
	uint64_t write_value;
};

struct hv_report;

/* Runs every probe for what the report's scan found and stores the
 * results in report->probes. Every MSR a probe wrote is restored before
 * this returns; report->probes.restores says how that went. */
void probe_run(struct hv_report *report, const struct probe_machine *machine,
	       const struct forced_msr *forced);

/* Marks the probes requested but not run (a replayed dump, the host
 * build), with the reason. */
void probe_not_run(struct hv_report *report, const char *reason);

/* The probe keys, in report order; NULL past the last. */
const char *probe_key(size_t index);
const char *probe_title(size_t index);

const char *probe_state_name(enum probe_state state);

#endif
