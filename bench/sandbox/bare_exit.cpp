// A program that exits at once without the C library: no dynamic loader, no libc
// start-up. bench/sandbox/run spawns it beside /bin/true, and the difference is what
// the C library's start-up costs each process here. In a virtual machine that is most of
// an exec: glibc reads the cache sizes through cpuid, and every cpuid traps to the
// hypervisor. A launcher's row in the bench pays it twice (the launcher's start and the
// task's), fork/exec and ia-sandbox's in-process row once.
extern "C" [[noreturn]] void _start() {
  asm volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");  // exit(0)
  __builtin_unreachable();
}
