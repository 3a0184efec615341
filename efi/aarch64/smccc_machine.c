/* SMCCC calls in AArch64 firmware: HVC #0 or SMC #0, each guarded by a
 * handler for synchronous exceptions registered through the firmware's
 * own CPU architecture protocol, as the x86_64 probes guard MSRs. An HVC
 * without EL2, or an SMC without EL3, is UNDEFINED (Arm ARM, D1.13.2): it
 * comes back as a trapped call with its syndrome. */
#include <efi.h>
#include <efilib.h>

#include "cpu_arch_protocol.h"
#include "smccc_machine.h"

/* UEFI 2.11, 18.2.4: EXCEPT_AARCH64_SYNCHRONOUS_EXCEPTIONS, and the
 * EFI_SYSTEM_CONTEXT_AARCH64 gnu-efi does not declare: X0-X28, FP, LR,
 * SP, V0-V31, then ELR, SPSR, FPSR, ESR, FAR. */
#define EXCEPT_AARCH64_SYNCHRONOUS_EXCEPTIONS 0
struct system_context_aarch64 {
	UINT64 x[29], fp, lr, sp;
	UINT64 v[32][2];
	UINT64 elr, spsr, fpsr, esr, far;
};

static struct cpu_arch_protocol *cpu;
static bool registered;

/* The one instruction that may trap, and where to resume when it does;
 * set by the guarded call just before it executes. */
static volatile struct {
	UINT64 instruction, resume; /* offsets 0 and 8: the asm stores them */
	UINT64 syndrome;
	UINT8 trapped;
} guard;

static VOID EFIAPI on_synchronous_exception(EFI_EXCEPTION_TYPE type,
					    EFI_SYSTEM_CONTEXT context)
{
	struct system_context_aarch64 *c = (struct system_context_aarch64 *)context.SystemContextArm;

	/* ELR is the instruction when it was UNDEFINED, the next one when a
	 * hypervisor took it and injected an exception after it. */
	if (guard.instruction &&
	    (c->elr == guard.instruction || c->elr == guard.instruction + 4)) {
		guard.trapped = 1;
		guard.syndrome = c->esr;
		guard.instruction = 0;
		c->elr = guard.resume;
		return;
	}
	/* Not ours: the handler goes, and the instruction, run again, traps
	 * to the firmware's own handler, which reports it as it would have. */
	if (!EFI_ERROR(cpu->register_interrupt_handler(cpu, type, NULL)))
		registered = false;
}

const char *smccc_guard_open(void)
{
	EFI_GUID cpu_guid = CPU_ARCH_PROTOCOL_GUID;

	if (EFI_ERROR(BS->LocateProtocol(&cpu_guid, NULL, (void **)&cpu)))
		return "the firmware has no CPU architecture protocol to catch a trap with";
	if (EFI_ERROR(cpu->register_interrupt_handler(cpu, EXCEPT_AARCH64_SYNCHRONOUS_EXCEPTIONS,
						      on_synchronous_exception)))
		return "the firmware already handles synchronous exceptions itself, or "
		       "refused a handler";
	registered = true;
	return NULL;
}

const char *smccc_guard_close(void)
{
	if (!registered)
		return NULL;
	/* A handler left registered would point into this image once the
	 * firmware unloads it. */
	if (EFI_ERROR(cpu->register_interrupt_handler(cpu, EXCEPT_AARCH64_SYNCHRONOUS_EXCEPTIONS,
						      NULL)))
		return "the firmware refused to unregister hvfeat's exception handler";
	registered = false;
	return NULL;
}

/* x0..x3 in and out, x4..x17 clobbered: SMCCC 1.0 lets a callee corrupt
 * them (DEN 0028, 2.6); x16 and x17 carry the guard's addresses first. */
#define GUARDED_CALL(instruction)                                             \
	__asm__ volatile("adr x16, 1f\n\t"                                    \
			 "adr x17, 2f\n\t"                                    \
			 "stp x16, x17, [%[guard]]\n\t"                       \
			 "1: " instruction "\n"                               \
			 "2:\n"                                               \
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)             \
			 : [guard] "r"(&guard)                                \
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",  \
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory")

void smccc_guarded_call(enum smccc_conduit conduit, struct smccc_call *call)
{
	/* cppcheck-suppress constStatement ; it takes the register binding for
	 * an expression */
	register UINT64 x0 __asm__("x0") = call->function;
	/* cppcheck-suppress constStatement */
	register UINT64 x1 __asm__("x1") = call->arg;
	register UINT64 x2 __asm__("x2") = 0;
	register UINT64 x3 __asm__("x3") = 0;

	guard.trapped = 0;
	if (conduit == SMCCC_CONDUIT_HVC)
		GUARDED_CALL("hvc #0");
	else
		GUARDED_CALL("smc #0");
	guard.instruction = 0;
	call->trapped = guard.trapped;
	call->syndrome = (uint32_t)guard.syndrome;
	if (!call->trapped) {
		call->x[0] = x0;
		call->x[1] = x1;
		call->x[2] = x2;
		call->x[3] = x3;
	}
}

static void guarded_source_call(const struct smccc_source *self, struct smccc_call *call)
{
	smccc_guarded_call(self->conduit, call);
}

void smccc_source_guarded(struct smccc_source *source, enum smccc_conduit conduit,
			  const char *conduit_origin)
{
	*source = (struct smccc_source){ .call = guarded_source_call, .conduit = conduit,
					 .conduit_origin = conduit_origin, .kind = "smccc",
					 .description = conduit == SMCCC_CONDUIT_SMC
								? "smc #0, guarded"
								: "hvc #0, guarded" };
}
