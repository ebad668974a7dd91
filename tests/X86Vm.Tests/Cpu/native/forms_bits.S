/* Bit test/scan/count forms for BitTests (see harness.c). */
#include "forms.inc"

    .irp op, bt, bts, btr, btc
    FORM M_RSI|M_RDI, 0, 32, NONE, 0, 0, \op si, di
    FORM M_RSI|M_RDI, 0, 32, NONE, 0, 0, \op esi, edi
    FORM M_R8|M_R9, 0, 32, NONE, 0, 0, \op r8, r9
    FORM M_RAX, 0, 8, NONE, 0, 0, \op eax, eax
    .irp n, 0, 5, 15, 16, 31, 33, 63, 100, 255
    FORM M_RSI, 0, 6, NONE, 0, 0, \op si, \n
    FORM M_RSI, 0, 6, NONE, 0, 0, \op esi, \n
    FORM M_R8, 0, 6, NONE, 0, 0, \op r8, \n
    .endr
    FORM M_RSI, 1, 48, BITOFF, 6, 512, \op word ptr [rbx], si
    FORM M_RSI, 1, 48, BITOFF, 6, 512, \op dword ptr [rbx], esi
    FORM M_RSI, 1, 48, BITOFF, 6, 512, \op qword ptr [rbx], rsi
    FORM M_RSI, 1, 16, BITOFF, 6, 256, \op dword ptr [rbx+6], esi
    FORM 0, 1, 8, NONE, 0, 0, \op word ptr [rbx], 3
    FORM 0, 1, 8, NONE, 0, 0, \op word ptr [rbx+1], 21
    FORM 0, 1, 8, NONE, 0, 0, \op dword ptr [rbx], 30
    FORM 0, 1, 8, NONE, 0, 0, \op dword ptr [rbx-4], 45
    FORM 0, 1, 8, NONE, 0, 0, \op qword ptr [rbx], 62
    FORM 0, 1, 8, NONE, 0, 0, \op qword ptr [rbx+8], 130
    .endr

    .irp op, bsf, bsr, tzcnt, lzcnt, popcnt
    FORM M_RSI|M_RDI, 0, 48, NONE, 0, 0, \op si, di
    FORM M_RSI|M_RDI, 0, 48, NONE, 0, 0, \op esi, edi
    FORM M_R8|M_R9, 0, 48, NONE, 0, 0, \op r8, r9
    FORM M_RAX, 0, 16, NONE, 0, 0, \op eax, eax
    FORM M_RSI, 1, 24, NONE, 0, 0, \op si, word ptr [rbx]
    FORM M_RSI, 1, 24, NONE, 0, 0, \op esi, dword ptr [rbx]
    FORM M_RSI, 1, 24, NONE, 0, 0, \op rsi, qword ptr [rbx]
    .endr

    .section .rodata.forms, "a"
forms_end:
    .section .note.GNU-stack, "", @progbits
