/**
 * Segment representations (wav2vec-U 1.0): k-means frame clusters, PCA,
 * run-merging and pair-pooling, and the model files for k-means and PCA.
 */
export { fitKMeans, assignClusters, type KMeansModel, type KMeansOptions, type KMeansFit } from './kmeans.js';
export { fitPca, applyPca, type PcaModel } from './pca.js';
export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';
export { mergeRuns, poolPairs, type Segments } from './pooling.js';
export { saveKMeans, loadKMeans, savePca, loadPca } from './model-files.js';
export { changePointSpans, poolChangeSegments, changeSegmentDim, changeCurve, DEFAULT_CHANGE_POINTS, type ChangePointConfig } from './change-points.js';
