/* Multiply and divide forms for MulDivTests (see harness.c). */
#include "forms.inc"

    .irp op, mul, imul, div, idiv
    FORM M_RAX|M_RDX|M_RSI, 0, 64, NONE, 0, 0, \op sil
    FORM M_RAX|M_RDX, 0, 24, NONE, 0, 0, \op dh
    FORM M_RAX|M_RDX|M_RCX, 0, 24, NONE, 0, 0, \op cl
    FORM M_RAX|M_RDX, 0, 16, NONE, 0, 0, \op al
    FORM M_RAX|M_RDX|M_RSI, 0, 64, NONE, 0, 0, \op si
    FORM M_RAX|M_RDX|M_RSI, 0, 64, NONE, 0, 0, \op esi
    FORM M_RAX|M_RDX|M_R9, 0, 64, NONE, 0, 0, \op r9
    FORM M_RAX|M_RDX|M_RDI, 0, 24, NONE, 0, 0, \op rdi
    FORM M_RAX|M_RDX, 0, 16, NONE, 0, 0, \op rax
    FORM M_RAX|M_RDX, 1, 24, NONE, 0, 0, \op byte ptr [rbx]
    FORM M_RAX|M_RDX, 1, 24, NONE, 0, 0, \op word ptr [rbx]
    FORM M_RAX|M_RDX, 1, 24, NONE, 0, 0, \op dword ptr [rbx]
    FORM M_RAX|M_RDX, 1, 24, NONE, 0, 0, \op qword ptr [rbx+8]
    .endr

    FORM M_RAX, 0, 16, NONE, 0, 0, mul ah
    FORM M_RAX, 0, 16, NONE, 0, 0, imul ah
    FORM M_RSI|M_RDI, 0, 64, NONE, 0, 0, imul si, di
    FORM M_RSI|M_RDI, 0, 64, NONE, 0, 0, imul esi, edi
    FORM M_R8|M_R9, 0, 64, NONE, 0, 0, imul r8, r9
    FORM M_RAX, 0, 16, NONE, 0, 0, imul rax, rax
    FORM M_RSI, 1, 24, NONE, 0, 0, imul si, word ptr [rbx]
    FORM M_RSI, 1, 24, NONE, 0, 0, imul esi, dword ptr [rbx]
    FORM M_RSI, 1, 24, NONE, 0, 0, imul rsi, qword ptr [rbx-8]
    .irp n, 0, 1, -1, 7, -128, 127, 0x1234, -30000, 0x7fff, -0x8000
    FORM M_RSI|M_RDI, 0, 12, NONE, 0, 0, imul si, di, \n
    .endr
    .irp n, 0, 1, -1, 7, -128, 127, 0x1234, -30000, 100000, -0x7fffffff, 0x7fffffff
    FORM M_RSI|M_RDI, 0, 12, NONE, 0, 0, imul esi, edi, \n
    FORM M_R8|M_R9, 0, 12, NONE, 0, 0, imul r8, r9, \n
    .endr
    FORM M_RSI, 1, 16, NONE, 0, 0, imul si, word ptr [rbx], -5
    FORM M_RSI, 1, 16, NONE, 0, 0, imul esi, dword ptr [rbx+4], 300
    FORM M_RSI, 1, 16, NONE, 0, 0, imul rsi, qword ptr [rbx], -70000

    .section .rodata.forms, "a"
forms_end:
    .section .note.GNU-stack, "", @progbits
