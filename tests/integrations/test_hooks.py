"""Hugging Face's TensorBoardCallback and Lightning's logger writing through summary, each run with
the real library (skipped when it is not installed)."""

from __future__ import annotations

import numpy as np
import pytest

import summary
from summary.proto.plugins import hparams_pb2
from tests.tensorboard_loader import accumulator, plugin_of, scalar_series, values

torch = pytest.importorskip("torch")


class _Dataset(torch.utils.data.Dataset):
    def __init__(self, n=32, as_dict=True):
        generator = torch.Generator().manual_seed(0)
        self.x = torch.rand(n, 3, generator=generator)
        self.y = self.x.sum(dim=1, keepdim=True)
        self.as_dict = as_dict

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]} if self.as_dict else (self.x[i], self.y[i])


def test_transformers_tensorboard_callback_with_our_writer(tmp_path):
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    from transformers.integrations import TensorBoardCallback

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(3, 1)

        def forward(self, x, labels=None):
            out = self.linear(x)
            return {"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}

    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"),
        max_steps=4,
        per_device_train_batch_size=8,
        logging_steps=1,
        report_to=[],
        use_cpu=True,
        save_strategy="no",
        disable_tqdm=True,
    )
    writer = summary.SummaryWriter(tmp_path / "tb")
    trainer = transformers.Trainer(
        model=Tiny(),
        args=args,
        train_dataset=_Dataset(),
        callbacks=[TensorBoardCallback(tb_writer=writer)],
    )
    trainer.train()
    assert writer.closed  # the callback closes the writer it was given at the end
    acc = accumulator(tmp_path / "tb")
    logged = [entry for entry in trainer.state.log_history if "loss" in entry]
    assert scalar_series(acc, "train/loss") == {
        entry["step"]: float(np.float32(entry["loss"])) for entry in logged
    }
    assert sorted(scalar_series(acc, "train/learning_rate")) == [1, 2, 3, 4]
    ((_, _, text),) = values(acc, "args/text_summary")
    assert b'"max_steps": 4' in text[0]


def test_lightning_logger(tmp_path):
    pytest.importorskip("lightning")
    import lightning.pytorch as pl

    from summary.integrations.lightning import TensorBoardLogger

    losses = []

    class Module(pl.LightningModule):
        def __init__(self, lr=0.05):
            super().__init__()
            self.save_hyperparameters()
            self.linear = torch.nn.Linear(3, 1)

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.linear(x), y)
            self.log("train_loss", loss)
            losses.append(float(loss))
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

    logger = TensorBoardLogger(tmp_path, name="exp")
    trainer = pl.Trainer(
        max_epochs=2,
        logger=logger,
        accelerator="cpu",
        log_every_n_steps=1,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    loader = torch.utils.data.DataLoader(_Dataset(16, as_dict=False), batch_size=8)
    trainer.fit(Module(), loader)

    assert isinstance(logger.experiment, summary.SummaryWriter)
    run = tmp_path / "exp" / "version_0"
    assert (run / "hparams.yaml").exists()
    acc = accumulator(run)
    # Lightning logs at global steps 0..3 (4 batches over 2 epochs)
    expected = {step: float(np.float32(loss)) for step, loss in enumerate(losses)}
    assert scalar_series(acc, "train_loss") == expected
    assert scalar_series(acc, "hp_metric") == {0: -1.0}
    content = acc.SummaryMetadata("_hparams_/session_start_info").plugin_data.content
    start = hparams_pb2.HParamsPluginData.FromString(content).session_start_info
    assert start.hparams["lr"].number_value == 0.05
    assert plugin_of(acc, "_hparams_/experiment") == "hparams"
