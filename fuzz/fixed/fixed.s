# The fixed half of every link of the `link` fuzz target (assembled into fixed.o by
# `llvm-mc-19 -filetype=obj -triple=wasm32-unknown-unknown -mattr=+atomics,+bulk-memory`).
# `_start` calls whichever `main` the mutated object defines (both are weak, so a link without
# one still succeeds), reads the stack pointer, and uses data, an atomic and bulk memory; its
# target features make --shared-memory links possible.
  .functype __main_void () -> (i32)
  .functype __main_argc_argv (i32, i32) -> (i32)
  .weak __main_void
  .weak __main_argc_argv
  .globaltype __stack_pointer, i32

  .section .text._start,"",@
  .globl _start
  .type _start,@function
_start:
  .functype _start () -> ()
  call __main_void
  drop
  global.get __stack_pointer
  i32.const 0
  call __main_argc_argv
  drop
  i32.const counter
  i32.const 1
  i32.atomic.rmw.add 0
  drop
  i32.const buffer
  i32.const 0
  i32.const 16
  memory.fill 0
  end_function

  .section .data.counter,"",@
  .globl counter
  .p2align 2
counter:
  .int32 1
  .size counter, 4

  .section .bss.buffer,"",@
  .p2align 4
buffer:
  .skip 16
  .size buffer, 16

  .section .custom_section.target_features,"",@
  .int8 2
  .int8 43
  .int8 7
  .ascii "atomics"
  .int8 43
  .int8 11
  .ascii "bulk-memory"
