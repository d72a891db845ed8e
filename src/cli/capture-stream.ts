/**
 * Where `protect` and `validate` meet their files: the input opened for streaming, then the planned output
 * (checked before any work, see planOutputs), the run given the reader and the output sink, the output
 * committed only when the run ends well (else removed), the progress bar following the octets read, and
 * the run's pace (backend, time, octets, peak memory) for its summary line.
 */
import type { CaptureReader, FcsMode, RecordBatch } from '../capture/index.js';
import type { StreamOptions } from '../runs/capture-run.js';
import { createOutputCapture, inputResolution, openInputCapture, type OutputCapture, type PlannedOutput } from '../runs/files.js';
import type { RunPace } from '../runs/report.js';
import { peakRss, progressForOctets } from './output.js';

export async function runCaptureStream<T>(
  label: string,
  input: string,
  fcs: FcsMode,
  backend: string,
  planned: PlannedOutput | undefined,
  body: (reader: CaptureReader, sink: OutputCapture | undefined, options: Omit<StreamOptions, 'keep'>) => Promise<T>,
): Promise<{ run: T; format: CaptureReader['format']; pace: RunPace }> {
  const started = performance.now();
  const opened = await openInputCapture(input, fcs);
  let output: OutputCapture | undefined;
  try {
    output = planned !== undefined ? await createOutputCapture(planned, 'auto', inputResolution(opened.reader)) : undefined;
  } catch (e) {
    await opened.close();
    throw e;
  }
  const progress = progressForOctets(label, opened.size);
  let octets = 0;
  let run: T;
  try {
    const onBurst = (offset: number, records: RecordBatch): void => {
      for (let i = 0; i < records.count; i++) octets += records.lengths[i]!;
      progress.update(offset);
    };
    run = await body(opened.reader, output, { onBurst });
    progress.done();
    await output?.close();
  } catch (e) {
    progress.done();
    await output?.abandon();
    throw e;
  } finally {
    await opened.close();
  }
  const pace: RunPace = { backend, seconds: (performance.now() - started) / 1000, octets, peakRss: peakRss() };
  return { run, format: opened.reader.format, pace };
}
