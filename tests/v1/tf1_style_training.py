"""A TF 1.x-style training script ported to summary.v1 line for line (run by a test).

The TF 1.x original differed only in its imports and in `tf.placeholder(tf.float32, ...)`:

    x = tf.placeholder(tf.float32, [None, 3], name="x")
    loss_t = tf.placeholder(tf.float32, name="loss")
    tf.summary.scalar("loss", loss_t)
    tf.summary.histogram("weights", w_t)
    merged = tf.summary.merge_all()
    with tf.Session() as sess:
        train_writer = tf.summary.FileWriter(logdir + "/train", sess.graph)
        for step in range(steps):
            s = sess.run(merged, feed_dict={...})
            train_writer.add_summary(s, step)
"""

from __future__ import annotations

import sys

import numpy as np

from summary import v1 as tf_summary

STEPS = 30
TRUE_W = np.array([2.0, -1.0, 0.5])


def main(logdir: str) -> None:
    rng = np.random.default_rng(0)
    w = np.zeros(3)
    graph = tf_summary.Graph()
    with graph.as_default():
        x = tf_summary.placeholder("x", dtype="float32", shape=[None, 3])
        loss_t = tf_summary.placeholder("loss")
        lr_t = tf_summary.placeholder("learning_rate")
        tf_summary.scalar("loss", loss_t)
        tf_summary.scalar("learning_rate", lr_t, family="optimizer")
        tf_summary.histogram("weights", lambda: w)
        tf_summary.image("inputs", lambda: np.abs(batch[:1, :, None, None]), max_outputs=1)
        train_summaries = tf_summary.merge_all()
        eval_summary = tf_summary.merge([tf_summary.scalar("loss", loss_t, collections=["eval"])])

    with tf_summary.Session(graph=graph) as sess:
        train_writer = tf_summary.FileWriter(logdir + "/train", sess.graph)
        eval_writer = tf_summary.FileWriter(logdir + "/eval")
        for step in range(STEPS):
            batch = rng.normal(size=(16, 3))
            error = batch @ w - batch @ TRUE_W
            lr = 0.1 * 0.95**step
            w -= lr * batch.T @ error / len(batch)
            feed = {x: batch, loss_t: float(np.mean(error**2)), lr_t: lr}
            train_writer.add_summary(sess.run(train_summaries, feed_dict=feed), step)
            if step % 10 == 9:
                held_out = rng.normal(size=(64, 3))
                eval_loss = float(np.mean((held_out @ (w - TRUE_W)) ** 2))
                eval_writer.add_summary(sess.run(eval_summary, {loss_t: eval_loss}), step)
        train_writer.close()
        eval_writer.flush()  # left open: interpreter exit drains it


if __name__ == "__main__":
    main(sys.argv[1])
