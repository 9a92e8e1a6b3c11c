/**
 * concner's public API: `import { tf, … } from "concner"`.
 * Each stage adds its exports here (one line per module).
 */
export { tf } from "./runtime/tf.js"
export { endOfChunk, type EvalToken, scoreConlleval, startOfChunk } from "./eval/conlleval.js"
export { EvalColumnCountMismatch, type EvalInputError, EvalTooFewColumns } from "./eval/errors.js"
export { type ConllevalInput, decodeConlleval, type EvalRow } from "./eval/input.js"
export { fixed2, formatReport } from "./eval/report.js"
export { ChunkScore, type ChunkCounts, chunkScore, EntityScores, entityScores } from "./eval/scores.js"
export { scoreSpans, scoreStrict } from "./eval/strict.js"
export { type BasicToken, basicTokenize } from "./text/basic.js"
export { BertTokenizer, type Subword } from "./text/bertTokenizer.js"
export { isChineseChar, isControl, isPunctuation, isWhitespace } from "./text/chars.js"
export { type EncodedCorpus, encodeCorpus, type TaggedWords } from "./text/corpus.js"
export {
  IGNORE_INDEX,
  type PaddedEncoding,
  padEncoding,
  type TextEncoding,
  type WordEncoding
} from "./text/encoding.js"
export {
  EmptyVocab,
  InvalidTokenizerConfig,
  InvalidVocabToken,
  MissingSpecialToken,
  TagCountMismatch,
  UnknownTag,
  UnsupportedTokenizerConfig,
  VocabEncodingError
} from "./text/errors.js"
export { casedTokenizerConfig, loadTokenizer, Tokenizer } from "./text/Tokenizer.js"
export { type TrimmedVocabulary, type TrimOptions, trimVocabulary } from "./text/trim.js"
export { TruncationReport } from "./text/truncation.js"
export {
  formatVocab,
  loadVocab,
  parseVocab,
  REQUIRED_SPECIAL_TOKENS,
  SPECIAL_TOKENS,
  Vocab,
  writeVocab
} from "./text/vocab.js"
export { MAX_INPUT_CHARS_PER_WORD, type Piece, type WordPieces, wordPiece } from "./text/wordpiece.js"
export { type Alphabet, type CoverageOptions, type ScriptCoverage, selectAlphabet } from "./text/alphabet.js"
export { scriptOf } from "./text/scripts.js"
export { countWords } from "./text/wordCounts.js"
export {
  DEFAULT_COVERAGE,
  DEFAULT_MIN_CHAR_COUNT,
  DEFAULT_MIN_PAIR_COUNT,
  InvalidVocabOption,
  type Merge,
  TRAINED_SPECIAL_TOKENS,
  type TrainedWordPiece,
  trainWordPiece,
  VocabSizeTooSmall,
  type VocabScoring,
  vocabScorings,
  type WordPieceTrainOptions
} from "./text/vocabTrain.js"
export {
  type BalanceOptions,
  type CorpusFormat,
  type CorpusSource,
  corpusFormats,
  detectFormat,
  drawCounts,
  parseCorpusSource,
  readSource,
  readSources,
  smoothedDraws,
  type SourceText,
  TestSplitRefused,
  weightedTexts
} from "./text/vocabCorpus.js"
export { type LclOptions, labelContrastiveLoss } from "./losses/lcl.js"
export { type LabelRelation, entityTypesOfTags } from "./losses/labelRelation.js"
export { type TclOptions, translationContrastiveLoss } from "./losses/tcl.js"
export { IGNORED_LABEL, tokenCrossEntropy } from "./losses/crossEntropy.js"
export {
  distillationHard,
  distillationKl,
  distillationMse,
  PROBABILITY_FLOOR
} from "./losses/distillation.js"
export { firstSubwordVectors, labelPositions, meanPool } from "./losses/pooling.js"
export { cosineLogits, l2Normalize, MASKED_LOGIT, NORM_EPSILON } from "./losses/cosine.js"
export { weightedContrastive } from "./losses/contrastive.js"
export { sentenceThenBatchMean } from "./losses/sentenceMean.js"
export { LossInputError, ObjectiveInputError } from "./losses/errors.js"
export {
  type DataNeeds,
  evaluateObjective,
  KdLoss,
  type LabeledLogits,
  Objective,
  type ObjectiveInputs,
  ObjectiveSpec,
  type ObjectiveTerm,
  type ObjectiveValue,
  ObjectiveWeights,
  objectiveTerms,
  PaperVariant,
  paperObjectives,
  type ObjectiveStage,
  termStage
} from "./losses/objective.js"
export {
  referenceCrossEntropy,
  referenceDistillationMse,
  referenceLcl,
  referenceTcl
} from "./losses/reference.js"
export {
  approxEqual,
  type BatchOptions,
  distinctLabels,
  fewClassLabels,
  type Law,
  type Laws,
  labelsArb,
  lawParameters,
  lclSeparationBound,
  oneClassLabels,
  type PairBatch,
  pairBatchArb,
  type PairLawOptions,
  type PairLoss,
  pairLossLaws,
  pairLossValue,
  type PairReference,
  type TokenBatch,
  tokenBatchArb,
  type TokenLawOptions,
  type TokenLoss,
  tokenLossLaws,
  tokenLossValue,
  type TokenReference,
  temperatureArb,
  type Vectors,
  vectorArb
} from "./losses/laws.js"
export {
  decodeSafetensors,
  type Dtype,
  encodeSafetensors,
  type FloatDtype,
  type FloatTensor,
  readSafetensors,
  type SafeTensor,
  type Safetensors,
  writeSafetensors
} from "./model/safetensors.js"
export {
  CONFIG_FILE,
  type LoadedCheckpoint,
  type LoadReport,
  loadCheckpoint,
  loadWeights,
  mapTensorName,
  matchCheckpoint,
  type NameMapping,
  type SaveOptions,
  saveCheckpoint,
  VOCAB_FILE,
  WEIGHTS_FILE
} from "./model/checkpoint.js"
export { loadModelFolder } from "./model/modelFolder.js"
export {
  CheckpointLabelsMismatch,
  CheckpointMismatch,
  CheckpointNameCollision,
  InvalidVocabulary,
  NonFiniteOutput,
  NonFiniteWeight,
  VocabLargerThanModel,
  type SafetensorsDecodeError,
  SafetensorsDuplicateName,
  SafetensorsEncodeError,
  SafetensorsEntryError,
  SafetensorsHeaderLengthError,
  SafetensorsHeaderSyntaxError,
  SafetensorsOffsetError,
  SafetensorsSizeMismatch,
  SafetensorsTrailingBytes,
  SafetensorsUnknownDtype,
  type ShapeMismatch
} from "./model/errors.js"
export { isAtomicTemp, writeFileAtomic, writeFileStringAtomic } from "./model/atomic.js"
export { floatBitsToHalf, halfBitsToFloat } from "./model/half.js"
export { type BackendName, backendNames } from "./runtime/backends.js"
export { BackendSwitchWithLiveTensors, BackendUnavailable, UnknownBackend } from "./runtime/errors.js"
export { formatRuntimeInfo, NativeInfo, RuntimeInfo, RuntimeMemory, SkippedBackend } from "./runtime/info.js"
export {
  disableNativeKernels,
  enableNativeKernels,
  type NativeCapability,
  nativeCapability,
  registerCustomKernels,
  unsortedSegmentSumInto
} from "./runtime/kernels.js"
export { loadNative, type NativeAddon, type NativeStatus } from "./runtime/native.js"
export { fusedDropout, fusedGelu, fusedLayerNorm } from "./runtime/nativeKernels.js"
export { acquireVariables, tensorScope, withTensorScope } from "./runtime/scope.js"
export {
  backendChoices,
  parseBackendName,
  type RuntimeOptions,
  TensorRuntime
} from "./runtime/TensorRuntime.js"
export {
  type ConllError,
  ConllEncodeError,
  ConllFormatError,
  ConllSchemeError,
  ConllTagError,
  DataReadError,
  IndexFileError,
  SampleSizeError,
  UnknownDatasetError
} from "./data/errors.js"
export {
  detectScheme,
  fromIob2,
  InvalidTag,
  parseTag,
  parseTagIn,
  type SchemeIssue,
  type Span,
  schemeIssues,
  spansOf,
  spansToIob2,
  type Tag,
  type TagPrefix,
  type TagScheme,
  tagSchemes,
  toIob2
} from "./data/scheme.js"
export {
  type ConllReport,
  type DecodedConll,
  type DecodeOptions,
  DOCSTART,
  decodeConll,
  type EncodeOptions,
  encodeConll,
  type InvalidTransition,
  type Sentence
} from "./data/conll.js"
export {
  type CorpusId,
  type CorpusName,
  conllLangs,
  knownCorpora,
  knownTranslations,
  type Split,
  splits,
  type TranslationId,
  type TranslationSystem,
  translationLangs,
  translationSystems,
  wikiannLangs
} from "./data/datasets.js"
export { decodeIndexFile } from "./data/indexFile.js"
export { hashSeed, mulberry32, sampleIndices } from "./data/sampling.js"
export { countSentences, orderTypes, type SentenceCounts, typeMultiset } from "./data/stats.js"
export {
  isLeakedPlaceholder,
  type LeakedPlaceholder,
  type MismatchPolicy,
  type PairedTranslations,
  type PairingReport,
  pairsForSample,
  pairTranslations,
  type SamplePairs,
  type TranslationPair
} from "./data/pairing.js"
export {
  Corpora,
  type Corpus,
  DataRoot,
  type LoadError,
  type SampledSentence,
  type TranslationSet
} from "./data/Corpora.js"
export {
  BertConfig,
  BertConfigError,
  decodeBertConfig,
  encodeBertConfig,
  HiddenAct,
  IGNORED_CONFIG_KEYS,
  loadBertConfig
} from "./model/config.js"
export {
  type BertParams,
  countParams,
  disposeParams,
  ENCODER_PREFIX,
  expectedShapes,
  initParams,
  initShapes,
  MLM_PREFIX,
  mlmHeadShapes,
  param,
  scopedParams
} from "./model/params.js"
export { activation, dropout, EVAL, type ForwardMode, layerNorm, linear } from "./model/ops.js"
export { EMBEDDINGS, embeddings } from "./model/embeddings.js"
export { additiveMask, attention, MASK_VALUE, residualOutput, selfAttention } from "./model/attention.js"
export { bertLayer } from "./model/layer.js"
export { type BertInputs, bertEncoder } from "./model/encoder.js"
export { type TokenClassifierOutput, tokenClassifier } from "./model/classifier.js"
export { type AdamW, AdamWConfig, type AdamWState, isDecayed, makeAdamW } from "./train/adamw.js"
export { constantSchedule, linearWarmupDecay, type Schedule } from "./train/schedule.js"
export {
  clipGradNorm,
  globalGradNorm,
  type GradBuffers,
  gradBuffers,
  nonFiniteGradients
} from "./train/clip.js"
export { NonFiniteGradient, NonFiniteLoss, OptimizerStateMismatch, TornStateFile } from "./train/errors.js"
export {
  decodeRunState,
  encodeRunState,
  type RunState,
  RunStateMeta,
  readRunState,
  writeRunState
} from "./train/runState.js"
export { canonicalHash, canonicalJson } from "./experiment/canonicalJson.js"
export {
  CommitInfo,
  commitOf,
  DataFileHash,
  hashFile,
  makeRunRecord,
  packageRoot,
  RunRecord,
  TeacherSource,
  writeRunRecord
} from "./experiment/runRecord.js"
export { type MetricsLog, openMetricsLog } from "./experiment/metricsLog.js"
export {
  cleanStats,
  type DropReason,
  dropReasons,
  type Repair,
  type SentenceStats,
  type TranslatedSentence,
  type Verdict
} from "./translate/verdict.js"
export {
  encodeMarkup,
  escapeText,
  type MarkedEntity,
  type MarkedSentence,
  type MarkupIssue,
  type MarkupMode,
  type ParsedMarkup,
  type ParsedSpan,
  type ParseOptions,
  parseMarkup,
  placeholderOf,
  unescapeText
} from "./translate/markup.js"
export { type ProjectionInput, project } from "./translate/project.js"
export { type ReportMeta, summarize, type TranslationReport } from "./translate/report.js"
export { type Dictionary, parseDictionary, translateWords, type WordByWord } from "./translate/dictionary.js"
export {
  DictionaryFormatError,
  EngineError,
  EngineOutputError,
  UnsupportedPairError
} from "./translate/errors.js"
export { type LineEngine, outputLines, runProcessLines, shellEngine } from "./translate/lineEngine.js"
export { APERTIUM_UNKNOWN, apertiumEngine, apertiumModes, findMode } from "./translate/apertium.js"
export { cachedEngine, cacheFile, defaultCacheDir } from "./translate/cache.js"
export {
  type MarkupOptions,
  type TranslateError,
  translateMarked,
  type TranslationResult,
  Translator,
  type TranslatorShape
} from "./translate/Translator.js"
export { type Corruption, type Masked, type MaskingOptions, maskSequence } from "./pretrain/masking.js"
export {
  drawBatch,
  type ExampleGroup,
  fixedBatches,
  groupShares,
  type MlmBatch,
  mlmExample,
  type PretrainExample,
  stackBatch,
  tlmExample
} from "./pretrain/examples.js"
export { maskedLm, mlmHits, type MlmInputs, mlmLogits, mlmLoss } from "./pretrain/mlmHead.js"
export { evaluateMlm, type PretrainStepResult, pretrainStep } from "./pretrain/step.js"
export {
  DEFAULT_SOURCES,
  decodePretrainConfig,
  loadPretrainConfig,
  PretrainSettings
} from "./pretrain/config.js"
export {
  NoPretrainingText,
  PretrainConfigError,
  PretrainResumeError,
  PretrainVocabError
} from "./pretrain/errors.js"
export { type PretrainData, readPretrainData, type SourceCount } from "./pretrain/sources.js"
export {
  type CurvePoint,
  type LanguageScore,
  lossCurve,
  type ModelCardInfo,
  renderModelCard
} from "./pretrain/modelCard.js"
export { MODEL_CARD_FILE, maskingFor, type PretrainOptions, runPretraining } from "./pretrain/run.js"
export {
  type CellKey,
  type CellOutcome,
  CellFileInvalid,
  CellSpecConflict,
  type CellStatus,
  cellDir,
  cellState,
  decodeGrid,
  type ExpandOptions,
  expandGrid,
  formatOutcomes,
  type Grid,
  type GridCell,
  GridIncomplete,
  GridInvalid,
  GridSchema,
  objectiveOf,
  type RunGridOptions,
  type RunnableCell,
  readResult,
  runGrid,
  specHash,
  type Target,
  targetsOf,
  type UnavailableCell,
  unavailableReason
} from "./experiment/grid.js"
export {
  type PaperRow,
  type PaperTable,
  type PaperValue,
  paperCorpus,
  paperF1,
  paperRows
} from "./experiment/paperTables.js"
export {
  collectResults,
  DuplicateResult,
  type FoundResult,
  formatReportMarkdown,
  meanStd,
  pairedDifference,
  RESULT_FILE,
  type ReportRow,
  reportDir,
  reportJson,
  summarizeResults,
  tCritical95,
  type Versus,
  cellKey
} from "./experiment/report.js"
export { renderSvg, resultsSpec, svgPage, tokenScatterSpec } from "./viz/plots.js"
export { escapeHtml, Html, html, type HtmlPart, trustedHtml } from "./report/htmlTemplate.js"
export {
  cellDeviations,
  PAPER_ENCODER,
  protocolDifferences,
  specDeviations
} from "./report/deviations.js"
export {
  type EvalPoint,
  parseEvalPoints,
  RunFileInvalid,
  type RunFiles,
  readRunFiles
} from "./report/runFiles.js"
export { languageBarsSpec, type LearningCurvePoint, learningCurveSpec } from "./report/charts.js"
export {
  type Cell,
  type CellLookup,
  Footnotes,
  paperTableHtml,
  rowsTableHtml,
  tableLangs
} from "./report/tables.js"
export {
  type Figure,
  FigureInvalid,
  figureDataUri,
  findFigures,
  readFigure,
  svgOf
} from "./report/figures.js"
export { type HtmlReportInput, htmlReport, writeHtmlReport } from "./report/html.js"
export {
  type LangSentences,
  type ProjectedToken,
  projectTokens,
  type SampleOptions,
  type TokenVector,
  tokenVectors
} from "./viz/tokens.js"
export { resultsFigure, type TokenFigureOptions, tokenFigure } from "./viz/visualize.js"
export {
  type Batch,
  type BatchRows,
  batchesPerEpoch,
  epochBatches,
  makeBatch,
  padRows,
  rowsFor,
  type TrainExample
} from "./train/batcher.js"
export { conllTypes, type LabelSet, labelSet, labelSetOf, wikiannTypes } from "./train/labels.js"
export { type LoadedModel, loadForTraining } from "./train/init.js"
export {
  type Best,
  type Position,
  START,
  type StageSettings,
  type TrainEvent,
  totalSteps,
  trainStage
} from "./train/loop.js"
export { type Predictions, predictTags, scorePredictions } from "./train/predict.js"
export {
  applyGradients,
  predictProbs,
  type StepResult,
  type StepSettings,
  type Trainee,
  trainStep
} from "./train/step.js"
export { restoreWeights, snapshotWeights, type Weights } from "./train/weights.js"
export {
  distillationSet,
  prepareRunData,
  type RunData,
  runDataFiles,
  teacherDataFiles,
  testSet,
  unlabeledExamples
} from "./experiment/data.js"
export { EncodingFailed, NotResumable, TranslationsUnavailable } from "./experiment/errors.js"
export { METRICS_FILE, metricsEntry, progressHooks, trimMetrics } from "./experiment/progress.js"
export { DevScore, RunResult, StageResult, TestScore } from "./experiment/result.js"
export {
  recordedSpec,
  recordRun,
  resumeExperiment,
  type RunHooks,
  type RunOptions,
  runExperiment
} from "./experiment/run.js"
export {
  CachedTeacher,
  publishTeacher,
  takeTeacher,
  teacherKey,
  teacherSpec
} from "./experiment/teacherCache.js"
export {
  cpuProtocol,
  ExperimentSpec,
  paperProtocol,
  Protocol,
  ProtocolName,
  protocols,
  TranslationSource
} from "./experiment/spec.js"
export {
  loadStageCheckpoint,
  type StageCheckpoint,
  STATE_FILE,
  saveStageCheckpoint
} from "./experiment/state.js"
export {
  formatQuickstart,
  type QuickstartOptions,
  quickstartMethods,
  quickstartProtocol,
  runQuickstart
} from "./experiment/quickstart.js"
export { trimModel, WORD_EMBEDDINGS } from "./model/trim.js"
export { trainVocabularyOnTokens } from "./text/vocabTrain.js"
export {
  deviations,
  formatTranslationSource,
  museDictionaryPath,
  museLangs,
  PublishedTranslations,
  parseTranslationSource,
  TRANSLATIONS_SYNTAX,
  TranslationEngine,
  TranslationSourceInvalid,
  type TranslationUse,
  translationDeviations,
  translationLabel,
  translationsUnavailable
} from "./experiment/translations.js"
export {
  type EngineOptions,
  type EngineTranslations,
  engineTranslator,
  TRANSLATION_FILE,
  type TranslationRecord,
  translateSample,
  writeTranslationRecord
} from "./experiment/engineTranslations.js"
export {
  type CellListing,
  type CellProgress,
  CellRow,
  CellState,
  CellStore,
  type CellSubmission
} from "./cluster/CellStore.js"
export { CellProcessExited, childHooks, trainInChild } from "./cluster/child.js"
export {
  clientEngine,
  clusterStore,
  localEngine,
  type RunnerAddressOptions,
  runnerEngine
} from "./cluster/engine.js"
export { decodeGridFile, GridFile, GridFileInvalid, gridOfFile, loadGridFile } from "./cluster/gridFile.js"
export {
  cellRemaining,
  formatCell,
  formatStatus,
  formatSummary,
  gridRemaining,
  makeProgressPrinter,
  shownState
} from "./cluster/progressView.js"
export { cellWorkflowLayer, type RunnerOptions } from "./cluster/runner.js"
export { type GridRun, type SubmitOptions, submitGrid } from "./cluster/submit.js"
export { CellFailed, CellPayload, CellWorkflow, cellLabel, cellPayload, runIdOf } from "./cluster/workflow.js"
