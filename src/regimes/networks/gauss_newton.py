"""Iterative linearisation as damped Gauss-Newton (Goldwaser & Ge 2023, sec. 2.4; docs/science.md sec. 2.5).

Full batch, squared loss ``L(w) = 1/(2n) ||f(w) - Y||^2`` over the ``n C`` outputs.  At an anchor ``a``
with Jacobian ``J`` (``nC x P``), residual ``r = f(a) - Y`` and kernel ``Theta = J J^T / n``:

- one round of iterative linearisation (K gradient steps of size ``eta`` on the Taylor model from
  ``a``) moves the weights by ``-(1/n) J^T Theta^+ (I - (I - eta Theta)^K) r``; K = inf gives
  ``-J^+ r``, the pseudo-inverse Gauss-Newton step;
- one damped Gauss-Newton step with damping ``mu`` moves them by ``-(1/n) J^T (Theta + mu I)^{-1} r``.

With ``mu = 1 / (eta K)`` both filter the kernel's eigendirections alike: ``eta K`` on those with
``lambda << mu``, ``1 / lambda`` on those with ``lambda >> mu``.  ``gauss_newton_runs`` follows both
methods round by round from one initialisation and records, at every round, the cosine between the two
steps taken at the same anchor (the linearisation's), and both trajectories' losses and accuracies.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.func import functional_call, jacrev, vmap

from ..grid import parse_K
from .ntk import jacobian_layers, per_layer, trainable

__all__ = [
    "flat_jacobian",
    "linearisation_step",
    "damped_gauss_newton_step",
    "gauss_newton_runs",
    "gauss_newton_cell",
]


def _unflatten(template: dict, vector: torch.Tensor) -> dict:
    out, i = {}, 0
    for k, v in template.items():
        out[k] = vector[i : i + v.numel()].reshape(v.shape)
        i += v.numel()
    return out


def flat_jacobian(
    model, w: torch.Tensor, X: torch.Tensor, template: dict
) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs ``f (n C,)`` and Jacobian ``J (n C, P)`` of ``model`` at the flat weights ``w``: layer by
    layer (``regimes.networks.ntk.jacobian_layers``) where every weight is a linear or convolutional
    layer's, by ``jacrev`` otherwise."""
    if per_layer(model, template):
        out, jac = jacobian_layers(model, X, _unflatten(template, w))
        return out.reshape(-1), jac.reshape(-1, w.numel())

    def f(vector, x):
        return functional_call(model, _unflatten(template, vector), (x[None],))[0]

    out = vmap(lambda x: f(w, x))(X)
    jac = vmap(jacrev(f), in_dims=(None, 0))(w, X)  # (n, C, P)
    return out.reshape(-1), jac.reshape(-1, w.numel())


def _range(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues and eigenvectors of the kernel on its range (eigenvalues above 1e-10 of the largest)."""
    lam, V = torch.linalg.eigh(theta)
    keep = lam > lam.max() * 1e-10
    return lam[keep], V[:, keep]


def linearisation_step(
    J: torch.Tensor,
    r: torch.Tensor,
    lr: float,
    K,
    n: int,
    theta: torch.Tensor | None = None,
    spectrum: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """The weight change of one round of iterative linearisation: K full-batch gradient steps of size
    ``lr`` on the Taylor model (K = inf: to convergence, the minimum-norm one).  ``theta``: the kernel
    ``J J^T / n`` if the caller has it; ``spectrum``: its ``_range`` if the caller has that."""
    lam, V = spectrum if spectrum is not None else _range(J @ J.T / n if theta is None else theta)
    K = parse_K(K)
    filt = 1.0 / lam if math.isinf(K) else (1.0 - torch.pow(1.0 - lr * lam, K)) / lam
    return -(J.T @ (V @ (filt * (V.T @ r)))) / n


def damped_gauss_newton_step(
    J: torch.Tensor,
    r: torch.Tensor,
    mu: float,
    n: int,
    theta: torch.Tensor | None = None,
    spectrum: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """``-(J^T J / n + mu I)^{-1} J^T r / n`` (through the ``nC x nC`` kernel ``theta = J J^T / n``);
    ``mu = 0``: ``-J^+ r`` (through ``spectrum``, the kernel's ``_range``, if the caller has it)."""
    theta = J @ J.T / n if theta is None else theta
    if mu == 0:  # -J^T (J J^T)^+ r = -J^+ r, through the kernel's eigenvectors
        return linearisation_step(J, r, 0.0, "inf", n, theta, spectrum)
    return -(J.T @ torch.linalg.solve(theta + mu * torch.eye(len(r), dtype=r.dtype), r)) / n


def _targets(y: torch.Tensor, classes: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(y, classes).to(torch.float64).reshape(-1)


def _metrics(model, w, template, X, y, classes):
    with torch.no_grad():
        out = functional_call(model, _unflatten(template, w), (X,))
    loss = 0.5 * ((out - torch.nn.functional.one_hot(y, classes).to(out.dtype)) ** 2).sum(-1).mean()
    return float(loss), float((out.argmax(-1) == y).double().mean())


def gauss_newton_runs(model, data: dict, K, *, rounds: int, step_scale: float = 1.0) -> dict:
    """Iterative linearisation at K and damped Gauss-Newton at ``mu = 1 / (eta K)`` (``mu = 0``, the
    pseudo-inverse, for K = inf), ``rounds`` rounds each from ``model``'s weights, full batch, in float64.

    ``eta = step_scale / lambda_max(Theta_0)``.  Returns per round: ``cosine`` of the two steps at the
    linearisation's anchor, and for each method (``il_``, ``gn_``) train loss, train and test accuracy
    after the round (index 0: at initialisation).
    """
    model = model.double()
    X, y = data["X"].double(), data["y"]
    X_test, y_test = data["X_test"].double(), data["y_test"]
    classes = int(max(int(y.max()), int(y_test.max())) + 1)
    n = X.shape[0]
    template = {k: v.detach() for k, v in trainable(model).items()}
    w0 = torch.cat([v.reshape(-1) for v in template.values()])
    Y = _targets(y, classes)
    f0, J0 = flat_jacobian(model, w0, X, template)
    lr = step_scale / float(torch.linalg.eigvalsh(J0 @ J0.T / n)[-1])
    K_num = parse_K(K)
    mu = 0.0 if math.isinf(K_num) else 1.0 / (lr * K_num)
    w = {"il": w0.clone(), "gn": w0.clone()}
    out = {"cosine": [math.nan]}
    for method in w:
        loss, acc = _metrics(model, w0, template, X, y, classes)
        out[f"{method}_train_loss"], out[f"{method}_train_acc"] = [loss], [acc]
        out[f"{method}_test_acc"] = [_metrics(model, w0, template, X_test, y_test, classes)[1]]
    for _ in range(rounds):
        f, J = flat_jacobian(model, w["il"], X, template)
        theta = J @ J.T / n  # both steps at the linearisation's anchor
        spectrum = _range(theta)
        step_il = linearisation_step(J, f - Y, lr, K, n, theta, spectrum)
        step_gn_here = damped_gauss_newton_step(J, f - Y, mu, n, theta, spectrum)
        out["cosine"].append(float(step_il @ step_gn_here / (step_il.norm() * step_gn_here.norm())))
        if torch.equal(w["gn"], w["il"]):  # the first round, and every round at K = inf: the same anchor
            step_gn = step_gn_here
        else:
            f_gn, J_gn = flat_jacobian(model, w["gn"], X, template)
            step_gn = damped_gauss_newton_step(J_gn, f_gn - Y, mu, n)
        w["il"] = w["il"] + step_il
        w["gn"] = w["gn"] + step_gn
        for method in w:
            loss, acc = _metrics(model, w[method], template, X, y, classes)
            out[f"{method}_train_loss"].append(loss)
            out[f"{method}_train_acc"].append(acc)
            out[f"{method}_test_acc"].append(_metrics(model, w[method], template, X_test, y_test, classes)[1])
    result = {k: np.asarray(v) for k, v in out.items()}
    result["lr"] = np.asarray(lr)
    result["mu"] = np.asarray(mu)
    return result


def gauss_newton_cell(cell, data: dict, architecture: str, seeds, settings: dict) -> dict:
    """Every seed of a cell: the network of ``architecture`` from the seed, both methods round by round;
    arrays ``(seeds, rounds + 1)`` and ``(seeds,)``; a run whose numbers stop being finite is diverged."""
    from .architectures import build

    tensors = {
        k: torch.as_tensor(data[k], dtype=torch.float64 if k.startswith("X") else torch.long)
        for k in ("X", "y", "X_test", "y_test")
    }
    classes = int(max(data["y"].max(), data["y_test"].max()) + 1)
    runs = []
    for seed in seeds:
        model = build(
            architecture,
            data["shape"],
            cell.width,
            cell.depth,
            classes,
            cell.alpha,
            seed,
            dtype=torch.float64,
        )
        runs.append(
            gauss_newton_runs(
                model,
                tensors,
                cell.K,
                rounds=int(settings.get("rounds", 20)),
                step_scale=float(settings.get("step_scale", 1.0)),
            )
        )
    out = {"seeds": np.asarray(seeds), **{k: np.stack([r[k] for r in runs]) for k in runs[0]}}
    finite = np.isfinite(out["il_train_loss"][:, -1]) & np.isfinite(out["gn_train_loss"][:, -1])
    out["diverged"] = ~finite
    return out
