/* Shift, rotate and double shift forms for ShiftTests (see harness.c). */
#include "forms.inc"

    .irp op, rol, ror, rcl, rcr, shl, shr, sar
    FORM M_RDX, 0, 16, NONE, 0, 0, \op dl, 1
    FORM M_RSI, 0, 16, NONE, 0, 0, \op si, 1
    FORM M_RDI, 0, 16, NONE, 0, 0, \op edi, 1
    FORM M_R8, 0, 16, NONE, 0, 0, \op r8, 1
    FORM M_RDX|M_RCX, 0, 64, COUNT, 1, 0, \op dl, cl
    FORM M_RAX|M_RCX, 0, 24, COUNT, 1, 0, \op ah, cl
    FORM M_RSI|M_RCX, 0, 64, COUNT, 1, 0, \op si, cl
    FORM M_RDI|M_RCX, 0, 64, COUNT, 1, 0, \op edi, cl
    FORM M_R8|M_RCX, 0, 64, COUNT, 1, 0, \op r8, cl
    FORM M_R9|M_RCX, 0, 24, COUNT, 1, 0, \op r9b, cl
    FORM M_RCX, 0, 24, COUNT, 1, 0, \op rcx, cl
    .irp n, 0, 2, 7, 8, 9, 16, 17, 31, 32, 33, 63, 200
    FORM M_RDX, 0, 8, NONE, 0, 0, \op dl, \n
    FORM M_RSI, 0, 8, NONE, 0, 0, \op si, \n
    FORM M_RDI, 0, 8, NONE, 0, 0, \op edi, \n
    FORM M_R8, 0, 8, NONE, 0, 0, \op r8, \n
    .endr
    FORM 0, 1, 16, NONE, 0, 0, \op byte ptr [rbx], 1
    FORM 0, 1, 16, NONE, 0, 0, \op word ptr [rbx], 1
    FORM 0, 1, 16, NONE, 0, 0, \op dword ptr [rbx], 1
    FORM 0, 1, 16, NONE, 0, 0, \op qword ptr [rbx], 1
    FORM M_RCX, 1, 24, COUNT, 1, 0, \op byte ptr [rbx], cl
    FORM M_RCX, 1, 24, COUNT, 1, 0, \op word ptr [rbx], cl
    FORM M_RCX, 1, 24, COUNT, 1, 0, \op dword ptr [rbx], cl
    FORM M_RCX, 1, 24, COUNT, 1, 0, \op qword ptr [rbx], cl
    FORM 0, 1, 8, NONE, 0, 0, \op byte ptr [rbx+1], 5
    FORM 0, 1, 8, NONE, 0, 0, \op word ptr [rbx-2], 13
    FORM 0, 1, 8, NONE, 0, 0, \op dword ptr [rbx+8], 29
    FORM 0, 1, 8, NONE, 0, 0, \op qword ptr [rbx-8], 47
    .endr

/* C0/C1 with an immediate count of 1 (gas would pick D0/D1) and the undocumented /6 SAL alias. */
    RAWFORM M_RDX, 0, 16, NONE, 0, 0, "shl dl, 1 (C0 ib)", 0xc0, 0xe2, 0x01
    RAWFORM M_RDI, 0, 16, NONE, 0, 0, "shr edi, 1 (C1 ib)", 0xc1, 0xef, 0x01
    RAWFORM M_R8, 0, 16, NONE, 0, 0, "rcl r8, 1 (C1 ib)", 0x49, 0xc1, 0xd0, 0x01
    RAWFORM M_RSI, 0, 16, NONE, 0, 0, "ror si, 1 (C1 ib)", 0x66, 0xc1, 0xce, 0x01
    RAWFORM M_RDX, 0, 16, NONE, 0, 0, "sal dl, 1 (D0 /6)", 0xd0, 0xf2
    RAWFORM M_RDI|M_RCX, 0, 32, COUNT, 1, 0, "sal edi, cl (D3 /6)", 0xd3, 0xf7
    RAWFORM M_R8, 0, 16, NONE, 0, 0, "sal r8, 5 (C1 /6 ib)", 0x49, 0xc1, 0xf0, 0x05
    RAWFORM M_RSI, 0, 16, NONE, 0, 0, "sal si, 1 (D1 /6)", 0x66, 0xd1, 0xf6

/* SHLD / SHRD. */
    .irp op, shld, shrd
    FORM M_RSI|M_RDI|M_RCX, 0, 96, COUNT, 1, 0, \op si, di, cl
    FORM M_RSI|M_RDI|M_RCX, 0, 64, COUNT, 1, 0, \op esi, edi, cl
    FORM M_R8|M_R9|M_RCX, 0, 64, COUNT, 1, 0, \op r8, r9, cl
    FORM M_RAX|M_RCX, 0, 16, COUNT, 1, 0, \op eax, eax, cl
    .irp n, 0, 1, 5, 15, 16, 17, 20, 31, 32, 33, 63, 255
    FORM M_RSI|M_RDI, 0, 8, NONE, 0, 0, \op si, di, \n
    FORM M_RSI|M_RDI, 0, 8, NONE, 0, 0, \op esi, edi, \n
    FORM M_R8|M_R9, 0, 8, NONE, 0, 0, \op r8, r9, \n
    .endr
    FORM M_RSI|M_RCX, 1, 32, COUNT, 1, 0, \op word ptr [rbx], si, cl
    FORM M_RSI|M_RCX, 1, 24, COUNT, 1, 0, \op dword ptr [rbx], esi, cl
    FORM M_RSI|M_RCX, 1, 24, COUNT, 1, 0, \op qword ptr [rbx], rsi, cl
    FORM M_RSI, 1, 8, NONE, 0, 0, \op word ptr [rbx+2], si, 3
    FORM M_RSI, 1, 8, NONE, 0, 0, \op word ptr [rbx+2], si, 19
    FORM M_RSI, 1, 8, NONE, 0, 0, \op dword ptr [rbx], esi, 9
    FORM M_RSI, 1, 8, NONE, 0, 0, \op qword ptr [rbx], rsi, 41
    .endr

    .section .rodata.forms, "a"
forms_end:
    .section .note.GNU-stack, "", @progbits
