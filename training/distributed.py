"""Data-parallel training under PyTorch's own launcher (``torchrun``), one process ("rank") per device.

    torchrun --standalone --nproc_per_node=8 -m training.train --run runs/ddp --device cuda

The design keeps a run independent of how many processes train it:

- **The same global batch.** Every rank draws the whole batch of ``--batch`` crops with the same seeded
  sampler and trains on its own rows (``rows``), and the loss draws the noise of the whole batch and
  keeps the same rows (``training_loss(part=…)``). The data and noise of step k are therefore those of a
  one-process run, and the sampler state in the checkpoint is the same on every rank: a run saved by 8
  processes resumes in 1 and back. (Drawing a batch of 32×32 crops costs far less than its network.)
- **Averaged gradients.** After the backward pass, one all-reduce of all gradients flattened into one
  buffer, divided by the world size: the gradient of the mean loss over the global batch, as in one
  process (to float rounding), which is what ``DistributedDataParallel`` computes. DDP itself is not
  used because the loss calls several of the network's methods (γ, the denoiser, the decoder), not one
  ``forward``; its bucketing does not matter for a network of 10⁵ parameters.
- **Rank 0 decides and writes.** Checkpoints, evaluations, logs and ``config.json`` come from rank 0
  only; clocks differ between processes, so every decision that reads one (stop for a deadline or
  budget, hold, evaluate, checkpoint) is rank 0's, broadcast to all (``agree``). Signals (SIGTERM,
  SIGUSR1/2) therefore only need to reach rank 0; torchrun forwards SIGTERM to every rank anyway.

One process (no ``WORLD_SIZE`` or ``WORLD_SIZE=1``) takes none of these paths: ``Solo`` leaves the
training step exactly as it was.
"""
import datetime
import os

import torch


class Solo:
    """One process: every collective is the identity."""

    world = 1
    rank = 0
    is_main = True

    def device(self, requested: str) -> torch.device:
        return torch.device(requested)

    def rows(self, batch: int) -> slice:
        return slice(0, batch)

    def part(self, batch: int):
        return None

    def broadcast_parameters(self, params) -> None:
        pass

    def average_gradients(self, params, loss: torch.Tensor) -> torch.Tensor:
        return loss

    def agree(self, value):
        return value

    def close(self) -> None:
        pass


class DataParallel(Solo):
    """A rank of a torchrun job: ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` from the launcher's
    environment; gloo on the CPU, NCCL on CUDA."""

    # A hold (SIGUSR1) keeps every other rank waiting in a collective: allow long ones. A dead rank does
    # not make the others wait this long: torchrun stops the whole job when one process fails.
    TIMEOUT = datetime.timedelta(hours=12)

    def __init__(self, world: int, rank: int, local_rank: int, cuda: bool):
        import torch.distributed as dist
        self.dist = dist
        self.world, self.rank, self.local_rank = world, rank, local_rank
        self.is_main = rank == 0
        self.cuda = cuda
        if cuda:
            torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl" if cuda else "gloo", timeout=self.TIMEOUT)

    @staticmethod
    def from_environment(device: str) -> Solo:
        """``DataParallel`` when started by torchrun with more than one process, else ``Solo``."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return Solo()
        return DataParallel(world, int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0")),
                            cuda=torch.device(device).type == "cuda")

    def device(self, requested: str) -> torch.device:
        return torch.device("cuda", self.local_rank) if self.cuda else torch.device(requested)

    def rows(self, batch: int) -> slice:
        """This rank's rows of a global batch (the caller checked ``batch % world == 0``)."""
        n = batch // self.world
        return slice(self.rank * n, (self.rank + 1) * n)

    def part(self, batch: int):
        """``(first row, global batch)`` for ``training_loss``: the noise of the whole batch, these rows."""
        return (self.rank * (batch // self.world), batch)

    def broadcast_parameters(self, params) -> None:
        """Rank 0's parameters everywhere (they are equal by construction, from the same seed or
        checkpoint; this is what DDP does at its start, and costs one broadcast)."""
        params = list(params)
        flat = torch.cat([p.data.reshape(-1) for p in params])  # one message; any memory format
        self.dist.broadcast(flat, src=0)
        offset = 0
        for p in params:
            p.data.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()

    def average_gradients(self, params, loss: torch.Tensor) -> torch.Tensor:
        """Replaces every gradient by its mean over the ranks and returns the mean of ``loss``, in one
        all-reduce. Parameters without a gradient (unused by this loss) stay without one on every rank,
        as in one process."""
        grads = [p.grad for p in params if p.grad is not None]
        flat = torch.cat([g.reshape(-1) for g in grads] + [loss.detach().reshape(1).to(grads[0].dtype)])
        self.dist.all_reduce(flat)
        flat /= self.world
        offset = 0
        for g in grads:
            g.copy_(flat[offset:offset + g.numel()].view_as(g))
            offset += g.numel()
        return flat[-1]

    def agree(self, value):
        """Rank 0's ``value`` (any picklable object) on every rank."""
        box = [value]
        self.dist.broadcast_object_list(box, src=0)
        return box[0]

    def close(self) -> None:
        """Waits for every rank (rank 0 may still be writing its checkpoint), then tears the group down.
        Without the barrier a rank that tore its connections down while another still held them was seen
        to abort in gloo's teardown ("terminate called without an active exception") on a loaded machine."""
        self.dist.barrier()
        self.dist.destroy_process_group()
