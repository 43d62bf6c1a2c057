import { MeminfoParseError } from './errors.js';
import type { HostMemory } from './types.js';

/** `Win32_OperatingSystem` memory, converted from KiB to bytes. */
export interface WindowsOsMemory {
  totalBytes: number;
  freeBytes: number;
}

/** One `vmmem`/`vmmemWSL` process as `Get-Process | Select-Object Name,Id,WorkingSet64` reports it. */
export interface VmmemProcess {
  name: string;
  id: number;
  workingSetBytes: number;
}

function parseJson(text: string, source: string): unknown {
  if (typeof text !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof text}`, { source });
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new MeminfoParseError(`${source}: not JSON (${(error as Error).message})`, { source, cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kibField(record: Record<string, unknown>, field: string, source: string): number {
  const value = record[field];
  // CIM returns these as UInt64; ConvertTo-Json writes them as numbers, some hosts as strings.
  const kib = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof kib !== 'number' || !Number.isSafeInteger(kib) || kib < 0 || !Number.isSafeInteger(kib * 1024)) {
    throw new MeminfoParseError(`${source}: ${field} must be a whole number of KiB, got ${JSON.stringify(value) ?? 'nothing'}`, {
      source,
      field,
    });
  }
  return kib * 1024;
}

/**
 * Parses the JSON of `Get-CimInstance Win32_OperatingSystem | Select-Object
 * TotalVisibleMemorySize,FreePhysicalMemory | ConvertTo-Json` (other properties are ignored).
 */
export function parseWindowsOsMemory(json: string): WindowsOsMemory {
  const source = 'Win32_OperatingSystem';
  const value = parseJson(json, source);
  const record = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (!isRecord(record)) throw new MeminfoParseError(`${source}: expected one object`, { source });
  return { totalBytes: kibField(record, 'TotalVisibleMemorySize', source), freeBytes: kibField(record, 'FreePhysicalMemory', source) };
}

/**
 * Parses the JSON of `Get-Process -Name vmmem,vmmemWSL | Select-Object Name,Id,WorkingSet64 |
 * ConvertTo-Json`: one object for one process, an array for several, empty for none, and
 * Windows PowerShell 5.1's `{ "value": [...], "Count": n }` wrapping of arrays.
 */
export function parseVmmemProcesses(json: string): VmmemProcess[] {
  const source = 'Get-Process vmmem';
  if (typeof json === 'string' && json.trim() === '') return [];
  let value = parseJson(json, source);
  if (isRecord(value) && Array.isArray(value['value']) && 'Count' in value) value = value['value'];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (!isRecord(item)) throw new MeminfoParseError(`${source}: item ${index} is not an object`, { source });
    const { Name: name, Id: id, WorkingSet64: workingSet } = item;
    if (typeof name !== 'string' || !/^vmmem(WSL)?$/i.test(name)) {
      throw new MeminfoParseError(`${source}: item ${index} is not a vmmem process (Name ${JSON.stringify(name) ?? 'missing'})`, { source, field: 'Name' });
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new MeminfoParseError(`${source}: item ${index} has no valid Id`, { source, field: 'Id' });
    }
    if (typeof workingSet !== 'number' || !Number.isSafeInteger(workingSet) || workingSet < 0) {
      throw new MeminfoParseError(`${source}: item ${index} has no valid WorkingSet64`, { source, field: 'WorkingSet64' });
    }
    return { name, id, workingSetBytes: workingSet };
  });
}

/**
 * The working set of the WSL VM. Newer builds name its process `vmmemWSL` (and other VMs
 * `vmmem`), so `vmmemWSL` wins where present; older builds have only `vmmem`, summed.
 */
export function vmmemWorkingSet(processes: readonly VmmemProcess[]): number | null {
  if (processes.length === 0) return null;
  const wsl = processes.filter((process) => process.name.toLowerCase() === 'vmmemwsl');
  return (wsl.length > 0 ? wsl : processes).reduce((sum, process) => sum + process.workingSetBytes, 0);
}

/**
 * Parses what the host script prints: the `Win32_OperatingSystem` JSON on the first line and
 * the `vmmem` process JSON on the second (see `WINDOWS_HOST_SCRIPT`).
 */
export function parseWindowsHost(stdout: string): HostMemory {
  const source = 'windows host';
  if (typeof stdout !== 'string') throw new MeminfoParseError(`${source}: expected text, got ${typeof stdout}`, { source });
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length !== 1 && lines.length !== 2) {
    throw new MeminfoParseError(`${source}: expected 2 JSON lines (operating system, vmmem processes), got ${lines.length}`, { source });
  }
  const os = parseWindowsOsMemory(lines[0] as string);
  return { total: os.totalBytes, available: os.freeBytes, vmmem: vmmemWorkingSet(parseVmmemProcesses(lines[1] ?? '')) };
}

/**
 * The PowerShell that reads host memory: two compressed JSON lines, no string from outside in it.
 * `-InputObject` keeps a one-element process list an array.
 */
export const WINDOWS_HOST_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  'ConvertTo-Json -Compress -InputObject (Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object TotalVisibleMemorySize,FreePhysicalMemory)',
  'ConvertTo-Json -Compress -InputObject @(Get-Process -Name vmmem,vmmemWSL -ErrorAction SilentlyContinue | Select-Object Name,Id,WorkingSet64)',
].join('; ');

/** The line the host session prints after each answer. */
export const WINDOWS_HOST_SESSION_END = 'gov-end';
/** The line prefix of a failed query in the host session: the rest is PowerShell's message. */
export const WINDOWS_HOST_SESSION_ERROR = 'gov-error ';

/**
 * The long-lived PowerShell that answers the host query once per line it reads on stdin: the
 * same two JSON lines as `WINDOWS_HOST_SCRIPT`, then `gov-end` (a failure is one
 * `gov-error <message>` line, then `gov-end`). The line read is only a cue: its text is never
 * used, so nothing from outside reaches the script. End of input ends it.
 */
export const WINDOWS_HOST_SESSION_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  'while ($null -ne [Console]::In.ReadLine()) {',
  'try {',
  '[Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject (Get-CimInstance -ClassName Win32_OperatingSystem | Select-Object TotalVisibleMemorySize,FreePhysicalMemory)))',
  '[Console]::Out.WriteLine((ConvertTo-Json -Compress -InputObject @(Get-Process -Name vmmem,vmmemWSL -ErrorAction SilentlyContinue | Select-Object Name,Id,WorkingSet64)))',
  "} catch { [Console]::Out.WriteLine('gov-error ' + ($_.Exception.Message -replace '[\\r\\n]+', ' ')) }",
  "[Console]::Out.WriteLine('gov-end')",
  '[Console]::Out.Flush()',
  '}',
].join('\n');
