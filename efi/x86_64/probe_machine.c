/* The machine the probes act on, in firmware: MSR accesses and hypercalls
 * guarded by handlers for #GP and #UD registered through the firmware's
 * own CPU architecture protocol, the TSC, the ACPI PM timer, the RTC, a
 * self-interrupt through the local APIC, and two pages the host may write
 * into. Everything taken is given back in probe_machine_close(). */
#include <efi.h>
#include <efilib.h>

#include "acpi.h"
#include "cpu_arch_protocol.h"
#include "cpuid_source.h"
#include "firmware_clock.h"
#include "firmware_tables.h"
#include "probe_machine.h"

/* Intel SDM vol. 3, 11.4 and 11.12; AMD APM vol. 2, 16.3 */
#define MSR_IA32_APIC_BASE 0x1bu
#define APIC_BASE_ENABLED (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)
#define APIC_SVR 0xf0u
#define SVR_APIC_ENABLED (1u << 8)
#define APIC_ISR 0x100u
#define APIC_EOI 0xb0u
#define APIC_ICR 0x300u
#define ICR_TO_SELF (1u << 18) /* destination shorthand 01: self, fixed, edge */
#define RFLAGS_IF (1u << 9)
/* Vectors tried for the self-interrupt: high, so that no device's shares
 * it, and none that OVMF's own drivers take. */
static const EFI_EXCEPTION_TYPE interrupt_vectors[] = { 0xec, 0xed, 0xee };
/* Pauses to wait for the self-interrupt; KVM delivers it at the entry after
 * the ICR write, so the first few suffice. */
#define INTERRUPT_WAIT_PAUSES 1000000u

/* The one instruction that may fault, and where to resume when it does;
 * set by the guarded access just before it executes. */
static volatile struct {
	UINT64 instruction, resume;
	UINT8 vector;
} guard;

static struct cpu_arch_protocol *cpu;
static EFI_EXCEPTION_TYPE registered[3]; /* #UD, #GP, the interrupt; 0: none */
static struct pm_timer pm_timer;
static EFI_PHYSICAL_ADDRESS pages;
static bool has_rdtscp;
static EFI_TPL tpl_before;

static struct {
	bool x2apic;
	volatile UINT8 *mmio; /* xAPIC registers */
	EFI_EXCEPTION_TYPE vector; /* claimed through the CPU protocol */
} interrupt;

/* Registers handler for type, kept in registered[slot] for
 * probe_machine_close; false when the firmware refused (it has a handler
 * of its own there). */
static bool take_vector(EFI_EXCEPTION_TYPE type, INTERRUPT_HANDLER handler, size_t slot)
{
	if (EFI_ERROR(cpu->register_interrupt_handler(cpu, type, handler)))
		return false;
	registered[slot] = type;
	return true;
}

/* The APIC ID of the vCPU this runs on, by CPUID alone: the x2APIC ID of
 * leaf 0BH where there is one, else leaf 1's initial APIC ID. */
static UINT32 current_apic_id(void)
{
	struct cpuid_source cpuid;
	struct cpuid_regs regs;

	cpuid_source_hardware(&cpuid);
	cpuid.query(&cpuid, 0, 0, &regs);
	if (regs.eax >= 0xb) {
		cpuid.query(&cpuid, 0xb, 0, &regs);
		if (regs.ebx)
			return regs.edx;
	}
	cpuid.query(&cpuid, 1, 0, &regs);
	return regs.ebx >> 24;
}

static UINT32 probes_apic_id; /* the vCPU the probes run on */

static VOID EFIAPI on_exception(EFI_EXCEPTION_TYPE type, EFI_SYSTEM_CONTEXT context)
{
	EFI_SYSTEM_CONTEXT_X64 *x64 = context.SystemContextX64;

	/* Another vCPU shares the IDT, not the guard (any_vcpu_write_msr):
	 * it may not call the firmware, so it stops here, interrupts off,
	 * until the firmware takes it back at its timeout (an INIT). */
	if (current_apic_id() != probes_apic_id)
		for (;;)
			__asm__ volatile("cli; hlt");
	if (x64->Rip == guard.instruction && guard.instruction) {
		guard.vector = (UINT8)type;
		guard.instruction = 0;
		x64->Rip = guard.resume;
		return;
	}
	/* Not one of ours (a firmware callback, a bug): the fault goes back to
	 * the firmware. Without our handler the instruction faults again and
	 * the firmware's own handler reports it as it would have (OVMF prints
	 * the CPU state on the serial port, then stops). Unregistering is a
	 * table update in the CPU driver (edk2 RegisterCpuInterruptHandler),
	 * safe from here. */
	for (size_t i = 0; i < 2; i++)
		if (registered[i] == type &&
		    !EFI_ERROR(cpu->register_interrupt_handler(cpu, type, NULL)))
			registered[i] = 0;
}

/* Each guarded instruction is labelled 1: and followed by 2:, and their
 * addresses go to guard before it runs. */
#define GUARD_LABELS                                      \
	"leaq 1f(%%rip), %%r11\n\t"                       \
	"movq %%r11, %[instruction]\n\t"                  \
	"leaq 2f(%%rip), %%r11\n\t"                       \
	"movq %%r11, %[resume]\n\t"
#define GUARD_OUTPUTS [instruction] "=m"(guard.instruction), [resume] "=m"(guard.resume)

static bool guard_result(uint8_t *vector)
{
	bool faulted = guard.vector != 0;

	*vector = guard.vector;
	guard.instruction = 0;
	return !faulted;
}

static bool read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	UINT32 low = 0, high = 0;

	(void)context;
	guard.vector = 0;
	__asm__ volatile(GUARD_LABELS "1: rdmsr\n2:\n"
			 : "+a"(low), "+d"(high), GUARD_OUTPUTS
			 : "c"(msr)
			 : "r11", "memory");
	*value = (uint64_t)high << 32 | low;
	return guard_result(vector);
}

static bool write_msr(void *context, uint32_t msr, uint64_t value, uint8_t *vector)
{
	(void)context;
	guard.vector = 0;
	__asm__ volatile(GUARD_LABELS "1: wrmsr\n2:\n"
			 : GUARD_OUTPUTS
			 : "c"(msr), "a"((UINT32)value), "d"((UINT32)(value >> 32))
			 : "r11", "memory");
	return guard_result(vector);
}

/* Any vCPU, unguarded (probe.h): the probe across vCPUs alone uses them. */
static uint64_t any_vcpu_read_msr(uint32_t msr)
{
	UINT32 low, high;

	__asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr) : "memory");
	return (uint64_t)high << 32 | low;
}

static void any_vcpu_write_msr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((UINT32)value), "d"((UINT32)(value >> 32))
			 : "memory");
}

/* KVM's calling convention (Documentation/virt/kvm/x86/hypercalls.rst):
 * number in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX. */
static bool hypercall(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
		      uint64_t *ret, uint8_t *vector)
{
	UINT64 rax = nr, rbx = a[0], rcx = a[1], rdx = a[2], rsi = a[3];

	(void)context;
	guard.vector = 0;
	if (vmmcall)
		__asm__ volatile(GUARD_LABELS "1: vmmcall\n2:\n"
				 : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi),
				   GUARD_OUTPUTS
				 :
				 : "r11", "memory");
	else
		__asm__ volatile(GUARD_LABELS "1: vmcall\n2:\n"
				 : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi),
				   GUARD_OUTPUTS
				 :
				 : "r11", "memory");
	*ret = rax;
	return guard_result(vector);
}

/* TDCALL, 66 0f 01 cc (Intel TDX module ABI; older assemblers lack the
 * mnemonic): leaf in RAX, inputs in RCX, RDX, R8; status in RAX, outputs
 * in RCX, RDX, R8, R9, R10, R11. #UD outside a TD. */
static bool tdcall(void *context, uint64_t leaf, const uint64_t in[3], uint64_t *status,
		   uint64_t out[6], uint8_t *vector)
{
	UINT64 rax = leaf, rcx = in[0], rdx = in[1], r8_in = in[2];
	UINT64 r8_out, r9_out, r10_out, r11_out;

	(void)context;
	guard.vector = 0;
	__asm__ volatile("movq %[r8_in], %%r8\n\t"
			 "xorl %%r9d, %%r9d\n\t"
			 "xorl %%r10d, %%r10d\n\t"
			 GUARD_LABELS "1: .byte 0x66, 0x0f, 0x01, 0xcc\n2:\n\t"
			 "movq %%r8, %[r8_out]\n\t"
			 "movq %%r9, %[r9_out]\n\t"
			 "movq %%r10, %[r10_out]\n\t"
			 "movq %%r11, %[r11_out]\n"
			 : "+a"(rax), "+c"(rcx), "+d"(rdx), [r8_out] "=m"(r8_out),
			   [r9_out] "=m"(r9_out), [r10_out] "=m"(r10_out), [r11_out] "=m"(r11_out),
			   GUARD_OUTPUTS
			 : [r8_in] "m"(r8_in)
			 : "r8", "r9", "r10", "r11", "memory");
	*status = rax;
	out[0] = rcx;
	out[1] = rdx;
	out[2] = r8_out;
	out[3] = r9_out;
	out[4] = r10_out;
	out[5] = r11_out;
	return guard_result(vector);
}

/* In order with the loads around it, as Linux's rdtsc_ordered(): RDTSCP
 * where the CPU has it, else LFENCE first. */
static uint64_t read_tsc(void *context)
{
	UINT32 low, high;

	(void)context;
	if (has_rdtscp)
		__asm__ volatile("rdtscp" : "=a"(low), "=d"(high) : : "rcx", "memory");
	else
		__asm__ volatile("lfence; rdtsc" : "=a"(low), "=d"(high) : : "memory");
	return (uint64_t)high << 32 | low;
}

static uint32_t read_pm_timer(void *context)
{
	UINT32 value;

	(void)context;
	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(pm_timer.port));
	return value;
}

static void interrupts_off(void *context)
{
	(void)context;
	tpl_before = BS->RaiseTPL(TPL_HIGH_LEVEL);
}

static void interrupts_restore(void *context)
{
	(void)context;
	BS->RestoreTPL(tpl_before);
}

/* --- the self-interrupt ------------------------------------------------ */

static uint32_t apic_read(uint32_t reg)
{
	UINT32 low, high;

	if (!interrupt.x2apic)
		return *(volatile UINT32 *)(interrupt.mmio + reg);
	__asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0x800u + (reg >> 4)));
	return low;
}

static void apic_write(uint32_t reg, uint32_t value)
{
	if (interrupt.x2apic)
		__asm__ volatile("wrmsr" : : "c"(0x800u + (reg >> 4)), "a"(value), "d"(0u)
				 : "memory");
	else
		*(volatile UINT32 *)(interrupt.mmio + reg) = value;
}

/* Through the firmware's dispatcher (an interrupt that arrives when no
 * self-interrupt is being watched): a plain EOI. */
static VOID EFIAPI on_interrupt(EFI_EXCEPTION_TYPE type, EFI_SYSTEM_CONTEXT context)
{
	(void)type;
	(void)context;
	apic_write(APIC_EOI, 0);
}

/* While a self-interrupt is watched, its IDT gate points here instead:
 * edk2's interrupt entry saves CR4 and DR7 before any registered handler
 * runs, and those reads exit to the host, which then takes the PV EOI flag
 * back (lapic.c, pv_eoi_test_and_clr_pending). This reads the flag first,
 * as a guest kernel's entry does: clears it when set (the guest's EOI),
 * else writes the EOI (xAPIC register, or the x2APIC MSR when stub_eoi is
 * 0). */
static volatile UINT64 stub_pv_eoi __attribute__((used)), stub_eoi __attribute__((used));
static volatile UINT32 stub_handled __attribute__((used)), stub_flag __attribute__((used));
void pv_eoi_stub(void);
__asm__(".pushsection .text\n"
	"pv_eoi_stub:\n\t"
	"pushq %rax\n\tpushq %rcx\n\tpushq %rdx\n\t"
	"movl $1, stub_handled(%rip)\n\t"
	"movq stub_pv_eoi(%rip), %rax\n\t"
	"btrl $0, (%rax)\n\t"
	"jnc 1f\n\t"
	"movl $1, stub_flag(%rip)\n\t"
	"jmp 3f\n"
	"1:\tmovq stub_eoi(%rip), %rax\n\t"
	"testq %rax, %rax\n\t"
	"jz 2f\n\t"
	"movl $0, (%rax)\n\t"
	"jmp 3f\n"
	"2:\tmovl $0x80b, %ecx\n\txorl %eax, %eax\n\txorl %edx, %edx\n\twrmsr\n"
	"3:\tpopq %rdx\n\tpopq %rcx\n\tpopq %rax\n\t"
	"iretq\n"
	".popsection\n");

struct idt_gate {
	UINT16 offset_low, selector;
	UINT8 ist, type;
	UINT16 offset_middle;
	UINT32 offset_high, reserved;
};

/* The vector's gate, or NULL when the IDT is too short for it. */
static volatile struct idt_gate *idt_gate(EFI_EXCEPTION_TYPE vector)
{
	struct {
		UINT16 limit;
		UINT64 base;
	} __attribute__((packed)) idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	if ((UINT64)vector * 16 + 15 > idtr.limit)
		return NULL;
	return (volatile struct idt_gate *)(UINTN)(idtr.base + (UINT64)vector * 16);
}

static bool interrupts_enabled(void)
{
	UINT64 flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & RFLAGS_IF;
}

static void self_interrupt(void *context, volatile uint32_t *pv_eoi,
			   struct interrupt_seen *seen)
{
	volatile struct idt_gate *gate = idt_gate(interrupt.vector);
	uint32_t isr = APIC_ISR + 0x10u * (interrupt.vector / 32u);
	uint32_t bit = 1u << (interrupt.vector % 32u);

	(void)context;
	*seen = (struct interrupt_seen){ .apic_enabled = apic_read(APIC_SVR) & SVR_APIC_ENABLED };
	if (!seen->apic_enabled || !gate || !interrupts_enabled())
		return;
	seen->sent = true;
	struct idt_gate saved = *gate, ours = saved;
	UINT64 stub = (UINT64)(UINTN)pv_eoi_stub;
	ours.offset_low = (UINT16)stub;
	ours.offset_middle = (UINT16)(stub >> 16);
	ours.offset_high = (UINT32)(stub >> 32);
	stub_pv_eoi = (UINT64)(UINTN)pv_eoi;
	stub_eoi = interrupt.x2apic ? 0 : (UINT64)(UINTN)(interrupt.mmio + APIC_EOI);
	stub_handled = stub_flag = 0;
	*gate = ours;
	apic_write(APIC_ICR, ICR_TO_SELF | (uint32_t)interrupt.vector);
	for (UINT32 i = 0; i < INTERRUPT_WAIT_PAUSES && !stub_handled; i++)
		__asm__ volatile("pause" ::: "memory");
	*gate = saved;
	seen->handled = stub_handled;
	seen->pv_eoi_flag = stub_flag;
	/* The read traps to the host, which completes a PV EOI there. */
	seen->still_in_service = seen->handled && (apic_read(isr) & bit);
	if (seen->still_in_service)
		apic_write(APIC_EOI, 0);
}

/* A local APIC that is on, in either mode, and a free vector. */
static bool open_self_interrupt(void)
{
	uint64_t base;
	uint8_t vector;

	if (!read_msr(NULL, MSR_IA32_APIC_BASE, &base, &vector) || !(base & APIC_BASE_ENABLED))
		return false;
	interrupt.x2apic = base & APIC_BASE_X2APIC;
	interrupt.mmio = (volatile UINT8 *)(UINTN)(base & 0xffffffffff000ull);
	for (size_t i = 0; i < sizeof(interrupt_vectors) / sizeof(interrupt_vectors[0]); i++)
		if (take_vector(interrupt_vectors[i], on_interrupt, 2)) {
			interrupt.vector = interrupt_vectors[i];
			return true;
		}
	return false;
}

/* --- open and close ---------------------------------------------------- */

/* CPUID.80000001H:EDX[27] */
static bool cpu_has_rdtscp(void)
{
	struct cpuid_source cpuid;
	struct cpuid_regs regs;

	cpuid_source_hardware(&cpuid);
	cpuid.query(&cpuid, 0x80000000u, 0, &regs);
	if (regs.eax < 0x80000001u)
		return false;
	cpuid.query(&cpuid, 0x80000001u, 0, &regs);
	return regs.edx & (1u << 27);
}

const char *probe_machine_open_guard(struct probe_machine *machine, const char **left)
{
	EFI_GUID cpu_guid = CPU_ARCH_PROTOCOL_GUID;

	*left = NULL;
	*machine = (struct probe_machine){ .read_msr = read_msr, .write_msr = write_msr,
					   .read_tsc = read_tsc, .hypercall = hypercall,
					   .tdcall = tdcall, .rtc = firmware_rtc,
					   .interrupts_off = interrupts_off,
					   .interrupts_restore = interrupts_restore,
					   .vcpu_count = 1,
					   .any_vcpu_read_msr = any_vcpu_read_msr,
					   .any_vcpu_write_msr = any_vcpu_write_msr };
	probes_apic_id = current_apic_id();
	if (EFI_ERROR(BS->LocateProtocol(&cpu_guid, NULL, (void **)&cpu)))
		return "the firmware has no CPU architecture protocol to catch faults with";
	if (!take_vector(VECTOR_UD, on_exception, 0) || !take_vector(VECTOR_GP, on_exception, 1)) {
		*left = probe_machine_close(machine, false);
		return "the firmware already handles #GP or #UD itself, or refused a handler";
	}
	has_rdtscp = cpu_has_rdtscp();
	return NULL;
}

const char *probe_machine_open(struct probe_machine *machine, const char **left)
{
	const char *why_not = probe_machine_open_guard(machine, left);

	if (why_not)
		return why_not;
	/* Reserved memory: should a registration outlive hvfeat, the OS
	 * never gets pages the host still writes. */
	if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, EfiReservedMemoryType, 2, &pages))) {
		*left = probe_machine_close(machine, false);
		return "no memory for the probes' pages";
	}
	for (UINTN i = 0; i < 2; i++) {
		machine->page_addresses[i] = pages + i * EFI_PAGE_SIZE;
		machine->pages[i] = (volatile uint8_t *)(UINTN)machine->page_addresses[i];
		for (UINTN b = 0; b < EFI_PAGE_SIZE; b++)
			machine->pages[i][b] = 0;
	}
	if (acpi_find_pm_timer(firmware_acpi_rsdp(), &pm_timer)) {
		machine->read_pm_timer = read_pm_timer;
		machine->pm_timer_mask = pm_timer.mask;
	}
	if (open_self_interrupt())
		machine->self_interrupt = self_interrupt;
	return NULL;
}

const char *probe_machine_close(struct probe_machine *machine, bool pages_in_use)
{
	const char *left = NULL;

	for (size_t i = 0; i < sizeof(registered) / sizeof(registered[0]); i++) {
		if (!registered[i])
			continue;
		/* A handler left registered would point into this image once
		 * the firmware unloads it. */
		if (EFI_ERROR(cpu->register_interrupt_handler(cpu, registered[i], NULL)))
			left = "the firmware refused to unregister a handler of hvfeat's";
		registered[i] = 0;
	}
	if (pages && !pages_in_use)
		BS->FreePages(pages, 2);
	pages = 0;
	machine->pages[0] = machine->pages[1] = NULL;
	return left;
}
