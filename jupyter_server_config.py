# JupyterLab for this project (`make lab`): the shipped notebooks in notebooks/ are saved
# without outputs, so results a researcher explores never reach git.
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.FileContentsManager.pre_save_hook = "helpers.lab.strip_saved_outputs"
