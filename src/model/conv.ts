/**
 * 1-D convolution written as one matrix product (im2col), because the wasm
 * backend has no Conv2DBackpropFilter kernel, so tf.conv1d cannot be trained
 * there, and the gradient penalty needs a gradient of a gradient through every
 * op of the discriminator.
 *
 * The convolution is one tape node with hand-written gradients, each again made
 * of differentiable ops (so derivatives of any order work):
 *   ∂x = the transposed convolution of ∂y (a convolution with the taps reversed
 *        and each tap's matrix transposed, padding mirrored),
 *   ∂W = (∂yᵀ · im2col(x))ᵀ.
 * It saves only x and W, where recording the im2col and its matMul would keep a
 * k-times-wider copy per layer and fold ∂(im2col) back with slow strided copies.
 */
import { tf } from '../backend/index.js';
import './gradients.js';

/** 'causal': output t sees inputs t-k+1..t. 'centred': fairseq's padding k//2 with the output length kept at T. */
export type ConvPadding = 'causal' | 'centred';

/** Zero frames added before and after the time axis so that a width-k convolution gives T outputs. */
export function convPadding(k: number, padding: ConvPadding): [number, number] {
  if (padding === 'causal') return [k - 1, 0];
  // torch Conv1d(padding=k//2) yields T+1 outputs for even k; its first T are these.
  const left = Math.floor(k / 2);
  return [left, k - 1 - left];
}

function unfoldRaw(x: tf.Tensor3D, k: number, left: number, right: number): tf.Tensor2D {
  const [B, T, C] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [left, right],
    [0, 0],
  ]);
  const taps: tf.Tensor3D[] = [];
  for (let j = 0; j < k; j++) taps.push(tf.slice(padded, [0, j, 0], [B, T, C]));
  return tf.reshape(tf.concat(taps, 2), [B * T, k * C]);
}

/** The adjoint of unfold: each tap's block of `cols` added back at the frames it came from. */
function foldRaw(cols: tf.Tensor2D, [B, T, C]: number[], k: number, left: number): tf.Tensor3D {
  const blocks = tf.reshape(cols, [B, T, k * C]) as tf.Tensor3D;
  const shifted: tf.Tensor3D[] = [];
  for (let j = 0; j < k; j++)
    shifted.push(
      tf.pad(tf.slice(blocks, [0, 0, j * C], [B, T, C]), [
        [0, 0],
        [j, k - 1 - j],
        [0, 0],
      ]),
    );
  return tf.slice(tf.addN(shifted), [0, left, 0], [B, T, C]);
}

/*
 * unfold and fold are linear and each other's adjoint, so each is the other's
 * gradient: as custom-gradient ops they put one node on the tape and save
 * nothing, instead of the 2k+2 pad/slice/concat nodes (each saving a copy of
 * its input) that recording their insides would cost.
 */
function fold(cols: tf.Tensor2D, shape: number[], k: number, left: number, right: number): tf.Tensor3D {
  return tf.customGrad((c) => ({
    value: foldRaw(c as tf.Tensor2D, shape, k, left),
    gradFunc: (dy: tf.Tensor) => unfoldPadded(dy as tf.Tensor3D, k, left, right),
  }))(cols) as tf.Tensor3D;
}

function unfoldPadded(x: tf.Tensor3D, k: number, left: number, right: number): tf.Tensor2D {
  return tf.customGrad((input) => ({
    value: unfoldRaw(input as tf.Tensor3D, k, left, right),
    gradFunc: (dy: tf.Tensor) => fold(dy as tf.Tensor2D, x.shape, k, left, right),
  }))(x) as tf.Tensor2D;
}

/**
 * im2col of x [B,T,C] for a width-k kernel: [B*T, k*C], where row (b,t) holds
 * the k input frames under output t, tap by tap (tap-major, channel-minor —
 * the layout of a tf.conv1d filter [k,C,Cout] reshaped to [k*C, Cout]).
 */
export function unfold(x: tf.Tensor3D, k: number, padding: ConvPadding): tf.Tensor2D {
  const [B, T, C] = x.shape;
  if (k === 1) return tf.reshape(x, [B * T, C]);
  const [left, right] = convPadding(k, padding);
  return unfoldPadded(x, k, left, right);
}

/** A recorded op with lazily evaluated per-input gradients (what tf.customGrad lacks: it computes all eagerly). */
interface LazyGradOp {
  forwardFunc: (backend: unknown, save: (tensors: tf.Tensor[]) => void) => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
}

/** tfjs's engine entry point behind tf.customGrad (private in the typings). */
function runLazyGradOp(op: LazyGradOp): tf.Tensor {
  return (tf.engine() as unknown as { runKernelFunc(op: LazyGradOp): tf.Tensor }).runKernelFunc(op);
}

/** w [k*Cin, Cout] → [k*Cout, Cin] with the taps in reverse order and each tap's matrix transposed. */
function reverseTaps(w: tf.Tensor2D, k: number): tf.Tensor2D {
  const [rows, cout] = w.shape;
  const cin = rows / k;
  const taps = tf.reshape(w, [k, cin, cout]);
  // Contiguous slices + concat, not tf.reverse: wasm's Reverse kernel is ~10× slower here.
  const reversed = tf.concat(Array.from({ length: k }, (_, j) => tf.slice(taps, [k - 1 - j, 0, 0], [1, cin, cout])), 0);
  return tf.reshape(tf.transpose(reversed, [0, 2, 1]), [k * cout, cin]);
}

function convPadded(x: tf.Tensor3D, w: tf.Tensor2D, k: number, left: number, right: number, bias?: tf.Tensor1D): tf.Tensor3D {
  const [B, T] = x.shape;
  const cout = w.shape[1];
  const inputs: Record<string, tf.Tensor> = bias ? { x, w, bias } : { x, w };
  return runLazyGradOp({
    inputs,
    forwardFunc: (_backend, save) => {
      save([x, w]);
      const y = tf.matMul(unfoldRaw(x, k, left, right), w);
      return tf.reshape(bias ? tf.add(y, bias) : y, [B, T, cout]);
    },
    backwardsFunc: (dy, [xs, ws]) => {
      const dyRows = () => tf.reshape(dy, [B * T, cout]);
      const grads: Record<string, () => tf.Tensor> = {
        // Output t took input t+j−left through tap j, so input s collects ∂y[s−j+left]·W_jᵀ:
        // a convolution of ∂y with the taps reversed and the padding mirrored.
        x: () => convPadded(dy as tf.Tensor3D, reverseTaps(ws as tf.Tensor2D, k), k, right, left),
        // Transpose ∂y and the small product rather than the k-times-wider im2col.
        w: () => tf.transpose(tf.matMul(tf.transpose(dyRows()), unfoldPadded(xs as tf.Tensor3D, k, left, right))),
      };
      if (bias) grads.bias = () => tf.sum(dyRows(), 0);
      return grads;
    },
  }) as tf.Tensor3D;
}

/** Width-k convolution of x [B,T,Cin] with w [k*Cin, Cout] (and optional bias [Cout]) → [B,T,Cout]. */
export function conv1dMatmul(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  k: number,
  padding: ConvPadding,
  bias?: tf.Tensor1D,
): tf.Tensor3D {
  const C = x.shape[2];
  if (w.shape[0] !== k * C) throw new Error(`conv weight has ${w.shape[0]} rows, expected k*Cin = ${k}*${C}`);
  const [left, right] = convPadding(k, padding);
  return convPadded(x, w, k, left, right, bias);
}
