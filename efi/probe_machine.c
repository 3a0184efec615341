/* The machine the probes act on, in firmware: MSR accesses and hypercalls
 * guarded by handlers for #GP and #UD registered through the firmware's
 * own CPU architecture protocol, the TSC, the ACPI PM timer, the RTC, and
 * two pages the host may write into. Everything taken is given back in
 * probe_machine_close(). */
#include <efi.h>
#include <efilib.h>

#include "acpi.h"
#include "clocks.h"
#include "probe_machine.h"

/* UEFI PI 1.7, volume 2, 12.3: EFI_CPU_ARCH_PROTOCOL. gnu-efi does not
 * declare it; only RegisterInterruptHandler is used. */
#define CPU_ARCH_PROTOCOL_GUID \
	{ 0x26baccb1, 0x6f42, 0x11d4, { 0xbc, 0xe7, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }

typedef VOID(EFIAPI *INTERRUPT_HANDLER)(EFI_EXCEPTION_TYPE type, EFI_SYSTEM_CONTEXT context);

struct cpu_arch_protocol {
	void *flush_data_cache, *enable_interrupt, *disable_interrupt,
		*get_interrupt_state, *init;
	EFI_STATUS(EFIAPI *register_interrupt_handler)(struct cpu_arch_protocol *self,
						       EFI_EXCEPTION_TYPE type,
						       INTERRUPT_HANDLER handler);
	/* further members unused */
};

#define VECTOR_UD 6
#define VECTOR_GP 13
static const EFI_EXCEPTION_TYPE guarded_vectors[] = { VECTOR_UD, VECTOR_GP };

/* The one instruction that may fault, and where to resume when it does;
 * set by the guarded access just before it executes. */
static volatile struct {
	UINT64 instruction, resume;
	UINT8 vector;
} guard;

static struct cpu_arch_protocol *cpu;
static bool handlers_registered[2];
static struct pm_timer pm_timer;
static EFI_PHYSICAL_ADDRESS pages;

static VOID EFIAPI on_exception(EFI_EXCEPTION_TYPE type, EFI_SYSTEM_CONTEXT context)
{
	EFI_SYSTEM_CONTEXT_X64 *x64 = context.SystemContextX64;

	if (x64->Rip == guard.instruction && guard.instruction) {
		guard.vector = (UINT8)type;
		guard.instruction = 0;
		x64->Rip = guard.resume;
		return;
	}
	/* Not one of ours: what the firmware's own handler would do, stop. */
	for (;;)
		__asm__ volatile("cli; hlt");
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

static uint64_t read_tsc(void *context)
{
	UINT32 low, high;

	(void)context;
	__asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
	return (uint64_t)high << 32 | low;
}

static uint32_t read_pm_timer(void *context)
{
	UINT32 value;

	(void)context;
	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(pm_timer.port));
	return value;
}

static bool rtc_seconds(void *context, int64_t *seconds)
{
	EFI_TIME now;

	(void)context;
	if (EFI_ERROR(RT->GetTime(&now, NULL)) || now.Month < 1 || now.Month > 12)
		return false;
	*seconds = civil_to_epoch(now.Year, now.Month, now.Day, now.Hour, now.Minute,
				  now.Second);
	return true;
}

static const void *acpi_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	const void *found = NULL;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *table = &ST->ConfigurationTable[i];
		if (!CompareGuid(&table->VendorGuid, &acpi20))
			return table->VendorTable;
		if (!CompareGuid(&table->VendorGuid, &acpi10))
			found = table->VendorTable;
	}
	return found;
}

const char *probe_machine_open(struct probe_machine *machine)
{
	EFI_GUID cpu_guid = CPU_ARCH_PROTOCOL_GUID;

	*machine = (struct probe_machine){ .read_msr = read_msr, .write_msr = write_msr,
					   .read_tsc = read_tsc, .hypercall = hypercall,
					   .rtc_seconds = rtc_seconds };
	if (EFI_ERROR(BS->LocateProtocol(&cpu_guid, NULL, (void **)&cpu)))
		return "the firmware has no CPU architecture protocol to catch faults with";
	for (UINTN i = 0; i < 2; i++) {
		EFI_STATUS status = cpu->register_interrupt_handler(cpu, guarded_vectors[i],
								    on_exception);
		if (EFI_ERROR(status)) {
			probe_machine_close(machine, false);
			return status == EFI_ALREADY_STARTED
				       ? "the firmware already handles #GP or #UD itself"
				       : "the firmware refused a fault handler";
		}
		handlers_registered[i] = true;
	}
	/* Reserved memory: should a registration outlive hvfeat, the OS
	 * never gets pages the host still writes. */
	if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, EfiReservedMemoryType, 2, &pages))) {
		probe_machine_close(machine, false);
		return "no memory for the probes' pages";
	}
	for (UINTN i = 0; i < 2; i++) {
		machine->page_addresses[i] = pages + i * EFI_PAGE_SIZE;
		machine->pages[i] = (volatile uint8_t *)(UINTN)machine->page_addresses[i];
		for (UINTN b = 0; b < EFI_PAGE_SIZE; b++)
			machine->pages[i][b] = 0;
	}
	if (acpi_find_pm_timer(acpi_rsdp(), &pm_timer)) {
		machine->read_pm_timer = read_pm_timer;
		machine->pm_timer_mask = pm_timer.mask;
	}
	return NULL;
}

void probe_machine_close(struct probe_machine *machine, bool pages_in_use)
{
	for (UINTN i = 0; i < 2; i++)
		if (handlers_registered[i]) {
			cpu->register_interrupt_handler(cpu, guarded_vectors[i], NULL);
			handlers_registered[i] = false;
		}
	if (pages && !pages_in_use)
		BS->FreePages(pages, 2);
	pages = 0;
	machine->pages[0] = machine->pages[1] = NULL;
}
