import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeminfoParseError } from './errors.js';
import { parseVmmemProcesses, parseWindowsHost, parseWindowsOsMemory, vmmemWorkingSet } from './windows.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseWindowsOsMemory', () => {
  it('reads Windows PowerShell 5.1 ConvertTo-Json output, KiB to bytes', () => {
    expect(parseWindowsOsMemory(fixture('windows-os-select.ps51.json'))).toEqual({ totalBytes: 33436588 * 1024, freeBytes: 14826132 * 1024 });
  });

  it('ignores other properties of the CIM instance', () => {
    expect(parseWindowsOsMemory(fixture('windows-os-caption.ps51.json'))).toEqual({ totalBytes: 16601400 * 1024, freeBytes: 2712884 * 1024 });
  });

  it('accepts UInt64 values written as strings', () => {
    expect(parseWindowsOsMemory('{"TotalVisibleMemorySize":"4","FreePhysicalMemory":"2"}')).toEqual({ totalBytes: 4096, freeBytes: 2048 });
  });

  it('names a missing field', () => {
    expect(() => parseWindowsOsMemory('{"TotalVisibleMemorySize":4}')).toThrowError(
      new MeminfoParseError('Win32_OperatingSystem: FreePhysicalMemory must be a whole number of KiB, got nothing', {
        source: 'Win32_OperatingSystem',
        field: 'FreePhysicalMemory',
      }),
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseWindowsOsMemory('Get-CimInstance : Access denied')).toThrowError(/^Win32_OperatingSystem: not JSON \(/);
  });
});

describe('parseVmmemProcesses', () => {
  it('reads one vmmemWSL process (an object)', () => {
    expect(parseVmmemProcesses(fixture('windows-process-vmmemwsl.ps51.json'))).toEqual([{ name: 'vmmemWSL', id: 4242, workingSetBytes: 9126805504 }]);
  });

  it('reads several processes (an array)', () => {
    expect(parseVmmemProcesses(fixture('windows-process-vmmem-two.ps51.json'))).toEqual([
      { name: 'vmmem', id: 5120, workingSetBytes: 6442450944 },
      { name: 'vmmem', id: 11384, workingSetBytes: 1073741824 },
    ]);
  });

  it('unwraps the { value, Count } form of Windows PowerShell 5.1', () => {
    expect(parseVmmemProcesses('{"value":[{"Name":"vmmemWSL","Id":1,"WorkingSet64":4096}],"Count":1}')).toEqual([{ name: 'vmmemWSL', id: 1, workingSetBytes: 4096 }]);
  });

  it('reads no output as no process', () => {
    expect([parseVmmemProcesses(''), parseVmmemProcesses('[]')]).toEqual([[], []]);
  });

  it('refuses a process that is not vmmem', () => {
    expect(() => parseVmmemProcesses('{"Name":"explorer","Id":1,"WorkingSet64":1}')).toThrowError(
      'Get-Process vmmem: item 0 is not a vmmem process (Name "explorer")',
    );
  });
});

describe('vmmemWorkingSet', () => {
  it('prefers vmmemWSL over other VMs, sums vmmem on older builds, null without a VM', () => {
    expect([
      vmmemWorkingSet(parseVmmemProcesses(fixture('windows-process-vmmem-and-vmmemwsl.ps51.json'))),
      vmmemWorkingSet(parseVmmemProcesses(fixture('windows-process-vmmem-two.ps51.json'))),
      vmmemWorkingSet([]),
    ]).toEqual([4831838208, 6442450944 + 1073741824, null]);
  });
});

describe('parseWindowsHost', () => {
  it('reads the two lines of the host script', () => {
    expect(parseWindowsHost(fixture('windows-host-script.stdout'))).toEqual({ total: 33436588 * 1024, available: 14826132 * 1024, vmmem: 9126805504 });
  });

  it('reports vmmem as null when no VM process runs', () => {
    expect(parseWindowsHost(fixture('windows-host-script-no-vm.stdout'))).toEqual({ total: 16601400 * 1024, available: 2712884 * 1024, vmmem: null });
  });

  it('refuses output of the wrong shape', () => {
    expect(() => parseWindowsHost('')).toThrowError('windows host: expected 2 JSON lines (operating system, vmmem processes), got 0');
  });
});
