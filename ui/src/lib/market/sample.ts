// Machines for tests and previews, priced with the chain's formula exactly as the core does
// (crates/dbc/src/market/price.rs) at the practice network's parameters: 100 calc points
// cost 16,937 USD micro a day, 1 DBC = 500 USD micro.
import type { Listing, MachinePrice } from './types';

const GPU_POINT = BigInt(100);
const GPU_PRICE = BigInt(16_937);
const AVG_PRICE = BigInt(500);
const PLANCK = BigInt(10) ** BigInt(15);
const BLOCKS_PER_DAY = BigInt(14_400);
const BLOCKS_PER_HOUR = BigInt(600);
const TEN_K = BigInt(10_000);

/** `MachinePrice::compute` for a machine without an extra price. */
export function samplePrice(calcPoint: number, gpuCount: number): MachinePrice | null {
  if (gpuCount === 0) return null;
  const total = BigInt(gpuCount);
  const perDay = (need: bigint) => (((GPU_PRICE * BigInt(calcPoint) * TEN_K) / GPU_POINT) * need) / total / TEN_K;
  const gpuDay = perDay(BigInt(1));
  const machineDay = perDay(total);
  const gpuHour = (gpuDay * BLOCKS_PER_HOUR) / BLOCKS_PER_DAY;
  const planck = (usdMicro: bigint) => ((usdMicro * PLANCK) / AVG_PRICE).toString();
  return {
    usdMicroPerGpuDay: Number(gpuDay),
    usdMicroPerGpuHour: Number(gpuHour),
    usdMicroPerMachineDay: Number(machineDay),
    planckPerGpuDay: planck((gpuDay * BLOCKS_PER_DAY) / BLOCKS_PER_DAY),
    planckPerGpuHour: planck(gpuHour),
    planckPerMachineDay: planck((machineDay * BLOCKS_PER_DAY) / BLOCKS_PER_DAY),
  };
}

/** A full machine row; `id` is padded to 64 hex-like characters unless it is already long. */
export function sampleListing(partial: Partial<Listing> & { id: string }): Listing {
  const gpuCount = partial.gpuCount ?? 4;
  // As the core decodes it: a machine whose status forbids renting has no free GPU.
  const rentable = partial.status === undefined || ['idle', 'partly-rented', 'rented'].includes(partial.status);
  const freeGpus = partial.freeGpus ?? (rentable ? gpuCount : 0);
  const calcPoint = partial.calcPoint ?? gpuCount * 1_400;
  const base: Listing = {
    id: partial.id,
    status: 'idle',
    statusRaw: 'Online',
    gpuModel: 'GeForceRTX4090',
    gpuCount,
    rentedGpus: rentable ? gpuCount - freeGpus : 0,
    freeGpus,
    gpuMemGb: 24,
    cudaCores: 16_384,
    calcPoint,
    cpuModel: 'AMD EPYC 7543 32-Core Processor',
    cpuCores: 64,
    cpuMhz: 2800,
    ramGb: 128,
    sysDiskGb: 500,
    dataDiskGb: 2000,
    uploadMbps: 500,
    downloadMbps: 500,
    longitude: 1_040_667,
    latitude: 306_667,
    telecomOperators: ['China Telecom'],
    serverRoom: null,
    isBareMachine: false,
    bondingHeight: 1_000,
    onlineHeight: 1_300,
    rentedUntil: null,
    extraPricePerGpu: null,
    country: 'CN',
    region: 'asia',
    price: samplePrice(calcPoint, gpuCount),
  };
  return { ...base, ...partial, price: partial.price !== undefined ? partial.price : base.price };
}
