"""PyTorch: tune a small network on scikit-learn's digits, pruning poor trials early.

Each trial trains a multilayer perceptron for a few epochs and reports its validation
accuracy after every epoch; the median pruner stops trials that fall behind the others.
Runs on the CPU in well under a minute (needs torch and scikit-learn).
"""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import trimtab

EPOCHS = 8


def load_data() -> tuple[torch.Tensor, ...]:
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(
        x / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    as_float = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    as_long = lambda a: torch.tensor(a, dtype=torch.long)  # noqa: E731
    return as_float(x_train), as_long(y_train), as_float(x_valid), as_long(y_valid)


X_TRAIN, Y_TRAIN, X_VALID, Y_VALID = load_data()


def build_model(trial: trimtab.Trial) -> torch.nn.Module:
    layers: list[torch.nn.Module] = []
    width_in = 64
    for i in range(trial.suggest_int("n_layers", 1, 2)):
        width_out = trial.suggest_int(f"units_{i}", 16, 128, log=True)
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
        layers.append(torch.nn.Dropout(trial.suggest_float(f"dropout_{i}", 0.0, 0.4)))
        width_in = width_out
    layers.append(torch.nn.Linear(width_in, 10))
    return torch.nn.Sequential(*layers)


def objective(trial: trimtab.Trial) -> float:
    torch.manual_seed(trial.number)
    model = build_model(trial)
    optimizer_name = trial.suggest_categorical("optimizer", ["Adam", "SGD"])
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    optimizer = getattr(torch.optim, optimizer_name)(model.parameters(), lr=lr)
    batches = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X_TRAIN, Y_TRAIN), batch_size=64, shuffle=True
    )
    accuracy = 0.0
    for epoch in range(EPOCHS):
        model.train()
        for inputs, targets in batches:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(X_VALID).argmax(dim=1) == Y_VALID).float().mean().item()
        trial.report(accuracy, epoch)  # the pruner compares trials epoch by epoch
        if trial.should_prune():
            raise trimtab.TrialPruned()
    return accuracy


if __name__ == "__main__":
    torch.set_num_threads(1)
    study = trimtab.create_study(
        direction="maximize",
        sampler=trimtab.samplers.TPESampler(seed=0),
        pruner=trimtab.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
    )
    study.optimize(objective, n_trials=15)
    pruned = study.get_trials(states=[trimtab.trial.TrialState.PRUNED])
    print(f"Pruned trials: {len(pruned)} of {len(study.trials)}")
    print(f"Best validation accuracy: {study.best_value:.4f}")
    print(f"Best params: {study.best_params}")
