# --stats on this object, as objtool 6.12 prints it (measured with the reference):
# 22 instructions; the walk visits all of them; the state at the first is a function entry's,
# which the table starts with (one cache hit); the push after the 1-byte instruction shares the
# previous state (one reuse); each of the other 20 instructions has a new state.
	.text
	.globl	f
	.type	f, @function
f:
	.byte	0x06			# push %es: invalid in 64-bit mode, decoded as objtool does
	.fill	20, 1, 0x55		# push %rbp, 20 times
	ret
	.size	f, .-f
