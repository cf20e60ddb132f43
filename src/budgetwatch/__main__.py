from .cli import app

if __name__ == "__main__":  # not when a reader process of the pool (spawned) imports this module as __mp_main__
    app(prog_name="budgetwatch")
