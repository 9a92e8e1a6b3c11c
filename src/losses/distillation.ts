import { type Scalar, type Tensor, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import { LossInputError } from "./errors.js"
import { oneHotTarget } from "./oneHot.js"
import { sentenceThenBatchMean } from "./sentenceMean.js"

/** Probabilities below this are clamped before a log (KL and hard-label variants). */
export const PROBABILITY_FLOOR = 1e-12

const check = (loss: string, student: Tensor3D, teacher: Tensor3D, mask: Tensor) => {
  const [b, t] = student.shape
  if (
    student.rank !== 3 ||
    teacher.rank !== 3 ||
    mask.rank !== 2 ||
    student.shape.some((s, i) => s !== teacher.shape[i]) ||
    mask.shape[0] !== b ||
    mask.shape[1] !== t
  )
    throw new LossInputError({
      loss,
      reason: `expected student and teacher [B, T, C] and mask [B, T], got [${student.shape}], [${teacher.shape}] and [${mask.shape}]`
    })
}

/**
 * Distillation loss, eq. 9: per token the mean squared difference between the student's and the
 * teacher's label distributions over the C classes; mean over each sentence's masked tokens
 * (`mask` 1 = counts, any dtype), then over the sentences with at least one. The teacher is a
 * constant: differentiate with respect to the student's variables only.
 */
export const distillationMse = (studentProbs: Tensor3D, teacherProbs: Tensor3D, mask: Tensor2D): Scalar => {
  check("distillationMse", studentProbs, teacherProbs, mask)
  return tf.tidy(() =>
    sentenceThenBatchMean(
      tf.mean(tf.squaredDifference(studentProbs, teacherProbs), -1) as Tensor2D,
      tf.cast(mask, "float32")
    )
  )
}

/**
 * Variant of eq. 9 with KL(teacher ‖ student) = Σ_c t_c (log t_c − log s_c) per token (same
 * reduction). Logs are of probabilities clamped at `PROBABILITY_FLOOR`, so `t_c = 0` adds 0.
 */
export const distillationKl = (studentProbs: Tensor3D, teacherProbs: Tensor3D, mask: Tensor2D): Scalar => {
  check("distillationKl", studentProbs, teacherProbs, mask)
  return tf.tidy(() => {
    const logT = tf.log(tf.maximum(teacherProbs, PROBABILITY_FLOOR))
    const logS = tf.log(tf.maximum(studentProbs, PROBABILITY_FLOOR))
    const kl = tf.sum(tf.mul(teacherProbs, tf.sub(logT, logS)), -1) as Tensor2D
    return sentenceThenBatchMean(kl, tf.cast(mask, "float32"))
  })
}

/**
 * Hard-label variant: cross-entropy of the student against the teacher's argmax tag per token,
 * −log max(s_{argmax t}, floor), with the same reduction.
 */
export const distillationHard = (studentProbs: Tensor3D, teacherProbs: Tensor3D, mask: Tensor2D): Scalar => {
  check("distillationHard", studentProbs, teacherProbs, mask)
  return tf.tidy(() => {
    const target = oneHotTarget(tf.argMax(teacherProbs, -1), teacherProbs.shape[2])
    const logS = tf.log(tf.maximum(studentProbs, PROBABILITY_FLOOR))
    const nll = tf.neg(tf.sum(tf.mul(logS, target), -1)) as Tensor2D
    return sentenceThenBatchMean(nll, tf.cast(mask, "float32"))
  })
}
