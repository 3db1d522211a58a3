export { type AnalysisStats, type AnalyzerOptions, type EventSink, LogAnalyzer } from './analyzer.js';
export { banFromLog } from './followBans.js';
export { autoFormat, detectFormat, NAMED_FORMATS, resolveFormat } from './formats.js';
export { compileLogFormat } from './logFormat.js';
export { analyzeFilesParallel, defaultWorkers } from './parallel.js';
export { type LogFormat, LogFormatError, type LogRecord } from './record.js';
export { analyzeFiles, followFiles } from './run.js';
export { observationFromRecord } from './toObservation.js';
